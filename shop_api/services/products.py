"""Products: the list anyone reads, and the changes staff make.

Product answers are cached under the catalogue's version (shared/caching.py
says why a version and not a delete), and every write that changes a product
or its stock, here, in orders.py and in ``seed-demo`` (commands.py), ends with
``invalidate_product_cache()``, which replaces it."""

from typing import Any

from sqlalchemy import Select, select

from shared.caching import replace_cache_version
from shop_api.extensions import cache, db
from shop_api.models import PRODUCT_ORDERINGS, Product


def products_query(
    *, search: str | None = None, in_stock: bool | None = None, sort: str = "name"
) -> Select[tuple[Product]]:
    """Products whose name contains ``search`` (any case, but SQLite's ``lower()``
    folds ASCII letters only; % and _ literal)."""
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


# The name product answers are cached under (shop_api/api/products.py).
CATALOGUE = "catalogue"


def invalidate_product_cache() -> None:
    """After a write's commit: a new catalogue version (shared/caching.py)."""
    replace_cache_version(cache, CATALOGUE)
