"""The yardstick: the shop's endpoints written the way tutorials write them,
over the same tables as the real app.

Flask-SQLAlchemy objects, ``db.paginate`` (a COUNT and a page query) and
``jsonify`` of dicts: no validation of the query string or the body, no
security headers, no request guards, no rate limiter. The order endpoint
reads each product's stock, checks it in Python and writes the new value,
the way tutorials do: two requests at once can both sell the last item,
and ``make bench`` counts how many items it oversold. It is not code to
copy (it also reads ``?page=abc`` as page 1, hiding the client's mistake,
and trusts every header); it
is what the real app must not be slower than. ``BENCH_DATABASE_URL`` names
the file.
"""

import hashlib
import os
from datetime import UTC, datetime

from flask import Flask, jsonify, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import ForeignKey
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


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


class ApiToken(db.Model):  # type: ignore[name-defined]
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int]
    token_hash: Mapped[str]
    expires_at: Mapped[datetime]


class Order(db.Model):  # type: ignore[name-defined]
    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int]
    status: Mapped[str]
    total_cents: Mapped[int]
    currency: Mapped[str]
    created_at: Mapped[datetime]
    lines: Mapped[list["OrderLine"]] = relationship()

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "status": self.status,
            "items": [line.to_dict() for line in self.lines],
            "total_cents": self.total_cents,
            "currency": self.currency,
            "created_at": self.created_at.isoformat(),
        }


class OrderLine(db.Model):  # type: ignore[name-defined]
    __tablename__ = "order_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    product_id: Mapped[int]
    product_name: Mapped[str]
    unit_price_cents: Mapped[int]
    quantity: Mapped[int]

    def to_dict(self) -> dict[str, object]:
        return {
            "product_id": self.product_id,
            "product_name": self.product_name,
            "quantity": self.quantity,
            "unit_price_cents": self.unit_price_cents,
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


@app.post("/api/orders/")
def place_order():  # type: ignore[no-untyped-def]
    token = request.headers.get("Authorization", "").removeprefix("Bearer ")
    api_token = db.session.scalar(
        db.select(ApiToken).where(
            ApiToken.token_hash == hashlib.sha256(token.encode()).hexdigest(),
            ApiToken.expires_at > datetime.now(UTC),
        )
    )
    if api_token is None:
        return jsonify(error="Unauthorized"), 401
    order = Order(
        customer_id=api_token.user_id,
        status="placed",
        total_cents=0,
        currency="EUR",
        created_at=datetime.now(UTC),
    )
    for item in request.get_json()["items"]:
        product = db.get_or_404(Product, item["product_id"])
        if product.stock < item["quantity"]:
            return jsonify(error="Not enough stock"), 409
        product.stock -= item["quantity"]  # read, check, write: the race
        order.total_cents += product.price_cents * item["quantity"]
        order.lines.append(
            OrderLine(
                product_id=product.id,
                product_name=product.name,
                unit_price_cents=product.price_cents,
                quantity=item["quantity"],
            )
        )
    db.session.add(order)
    db.session.commit()
    return jsonify(order.to_dict()), 201
