"""Products: the list anyone reads, and the changes staff make. Every write that
changes a product or its stock, here and in orders.py, ends with
``invalidate_product_cache()``, so every answer cached before the write is
dropped. (A read whose query ran just before the write's commit can still store
its older answer just after the clear; it is then served until the next write
or Flask-Caching's timeout, 300 s by default.)"""

from typing import Any

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


def invalidate_product_cache() -> None:
    """Drop every cached product answer. The shop's cache holds nothing else, so
    clearing it all is exact, and simpler than finding the pages that showed it."""
    cache.clear()
