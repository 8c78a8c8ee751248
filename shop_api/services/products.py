"""Products: the list anyone reads, and the changes staff make.

Product reads are cached (Flask-Caching, shop_api/api/products.py). Every
write that changes a product or its stock, here and in orders.py, ends with
``forget_product_reads()``, so no client is ever shown a price or a stock
level the shop no longer has.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from shop_api.extensions import cache, db
from shop_api.models import CURRENCY, PRODUCT_ORDERINGS, Product
from shop_api.services import ShopError


class WrongCurrency(ShopError):
    pass


def products_query(
    *, search: str | None = None, in_stock: bool | None = None, sort: str = "name"
) -> Select[tuple[Product]]:
    """Products whose name contains ``search`` (any case; % and _ literal)."""
    query = select(Product)
    if search:
        query = query.where(Product.name.icontains(search, autoescape=True))
    if in_stock is True:
        query = query.where(Product.stock > 0)
    elif in_stock is False:
        query = query.where(Product.stock == 0)
    return query.order_by(*PRODUCT_ORDERINGS[sort])


def create_product(
    *, name: str, description: str, price_cents: int, currency: str, stock: int
) -> Product:
    if currency != CURRENCY:
        raise WrongCurrency(f"This shop sells in {CURRENCY} only.", errors={"currency": ["Wrong."]})
    product = Product(
        name=name, description=description, price_cents=price_cents, currency=currency, stock=stock
    )
    db.session.add(product)
    db.session.commit()
    forget_product_reads()
    return product


def update_product(product: Product, changes: dict[str, Any]) -> Product:
    """Change name, description, price or stock. Past orders keep the name
    and price they were placed with (copied into their lines)."""
    for field in ("name", "description", "price_cents", "stock"):
        if field in changes:
            setattr(product, field, changes[field])
    db.session.commit()
    forget_product_reads()
    return product


def forget_product_reads() -> None:
    """Drop every cached product answer. The shop's cache holds nothing
    else, so clearing it all is exact, and simpler than knowing which pages
    showed the product that changed."""
    cache.clear()
