"""The yardstick: the shop's read endpoints written the way tutorials write
them, over the same SQLite file as the real app.

Flask-SQLAlchemy objects, ``db.paginate`` (a COUNT and a page query) and
``jsonify`` of dicts: no validation of the query string, no security
headers, no request guards, no rate limiter. It is not code to copy (it
answers a 500 for ``?page=abc`` and trusts every header); it is what the
real app must not be slower than. ``BENCH_DATABASE_URL`` names the file.
"""

import os

from flask import Flask, jsonify, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class Product(db.Model):  # type: ignore[name-defined]
    __tablename__ = "products"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    description: Mapped[str]
    price_cents: Mapped[int]
    currency: Mapped[str]
    stock: Mapped[int]

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "price_cents": self.price_cents,
            "currency": self.currency,
            "stock": self.stock,
        }


app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["BENCH_DATABASE_URL"]
db.init_app(app)


@app.get("/api/products/")
def list_products():  # type: ignore[no-untyped-def]
    page = request.args.get("page", 1, type=int)
    per_page = min(request.args.get("per_page", 20, type=int), 100)
    pagination = db.paginate(
        db.select(Product).order_by(Product.name, Product.id), page=page, per_page=per_page
    )
    return jsonify(
        items=[product.to_dict() for product in pagination.items],
        page=pagination.page,
        per_page=pagination.per_page,
        total=pagination.total,
        pages=pagination.pages,
    )


@app.get("/api/products/<int:product_id>")
def get_product(product_id: int):  # type: ignore[no-untyped-def]
    return jsonify(db.get_or_404(Product, product_id).to_dict())
