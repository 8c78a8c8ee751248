"""Products: the list anyone reads, and the changes staff make.

Product answers are cached under the catalogue's version (shared/caching.py
says why a version and not a delete), and every write that changes a product
or its stock, here, in orders.py and in ``seed-demo`` (commands.py), ends with
``invalidate_product_cache()``, which replaces it."""

from typing import Any

from sqlalchemy import Select, select, update

from shared.caching import replace_cache_version
from shop_api.extensions import cache, db
from shop_api.models import PRODUCT_ORDERINGS, Product
from shop_api.services import ShopError


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


def update_product(product: Product, changes: dict[str, Any], *, as_read: bool = False) -> Product:
    """Change name, description, price or stock (the fields ProductUpdateSchema lets
    through). Past orders keep the name and price they were placed with.

    With ``as_read`` (the client sent ``If-Match``), the change is one
    conditional UPDATE, as an order's is: it applies only while the product is
    still as it was read, and a 412 says otherwise. Staff who set the stock to
    12 after reading 2 then never erase a sale made in between."""
    unchanged = (
        [getattr(Product, name) == getattr(product, name) for name in SHOWN] if as_read else []
    )
    updated = db.session.execute(
        update(Product).where(Product.id == product.id, *unchanged).values(**changes)
    )
    if as_read and updated.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        raise ShopError(CHANGED_SINCE_READ, status=412)
    db.session.commit()
    invalidate_product_cache()
    return product


# What a product's answer shows that a change can alter (ProductSchema): its ETag's source.
SHOWN = ("name", "description", "price_cents", "stock")
CHANGED_SINCE_READ = (
    "This product changed since the ETag you sent was read (an order may have "
    "taken stock). GET it again, check the change, and send the new ETag."
)


# The name product answers are cached under (shop_api/api/products.py).
CATALOGUE = "catalogue"


def invalidate_product_cache() -> None:
    """After a write's commit: a new catalogue version (shared/caching.py)."""
    replace_cache_version(cache, CATALOGUE)
