"""Products: the list anyone reads, and the changes staff make.

Product answers are cached under the catalogue's current version
(``catalogue_version()``), and every write that changes a product or its stock,
here and in orders.py, ends with ``invalidate_product_cache()``, which gives the
catalogue a new version. Clearing the cache instead would leave a gap: a read
whose query ran just before a write's commit could store its older answer just
after the clear. Under a version that gap is closed, because a read takes the
version before it queries (Flask-Caching makes the key first), so an answer
older than a write is stored under a version that the write replaces, and no
request asks for that version again. It is the technique Flask-Caching's own
``memoize`` and ``delete_memoized`` use."""

import secrets
from typing import Any

from flask import current_app
from sqlalchemy import Select, select

from shop_api.extensions import cache, db
from shop_api.models import PRODUCT_ORDERINGS, Product


def products_query(
    *, search: str | None = None, in_stock: bool | None = None, sort: str = "name"
) -> Select[tuple[Product]]:
    """Products whose name contains ``search`` (any case; % and _ literal)."""
    query = select(Product)
    if search:
        query = query.where(Product.name.icontains(search, autoescape=True))
    if in_stock is not None:
        query = query.where(Product.stock > 0 if in_stock else Product.stock == 0)
    return query.order_by(*PRODUCT_ORDERINGS[sort])


def create_product(fields: dict[str, Any]) -> Product:
    """A new product from ProductSchema's fields (name, description, price, currency, stock)."""
    product = Product(**fields)
    db.session.add(product)
    db.session.commit()
    invalidate_product_cache()
    return product


def update_product(product: Product, changes: dict[str, Any]) -> Product:
    """Change name, description, price or stock (the fields ProductUpdateSchema lets
    through). Past orders keep the name and price they were placed with."""
    for field, value in changes.items():
        setattr(product, field, value)
    db.session.commit()
    invalidate_product_cache()
    return product


CATALOGUE_VERSION_KEY = "catalogue-version"


def catalogue_version() -> str:
    """The version product answers are cached under: read before the query."""
    version = cache.get(CATALOGUE_VERSION_KEY)
    if version is None:  # the first read, or the cache dropped the key
        version = new_catalogue_version()
    return version


def invalidate_product_cache() -> None:
    """Give the catalogue a new version, after a write's commit: every answer
    cached before it is then under an old version, never read again, and left to
    expire.

    A cache that cannot be reached (Redis down) does not turn the committed
    write into a 500, which a client might retry as a second order: the error
    is logged, as Flask-Caching's ``cached`` logs one on a read, and once the
    cache is back the answers it kept may be served until they expire
    (``CACHE_DEFAULT_TIMEOUT``, 300 s by default)."""
    try:
        new_catalogue_version()
    except Exception:  # whatever the store raises: Redis, Memcached...
        current_app.logger.exception("The product cache could not be invalidated")


def new_catalogue_version() -> str:
    """A random version: never one that an old answer was stored under."""
    version = secrets.token_hex(8)
    cache.set(CATALOGUE_VERSION_KEY, version, timeout=0)  # 0: no expiry
    return version
