"""The shop API's extensions, created unbound and bound in ``create_app``. No
CSRFProtect and no Flask-Login: every request carries a bearer token, which a
browser never attaches on its own, and no cookie is ever read."""

from flask_caching import Cache
from flask_httpauth import HTTPTokenAuth
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase

from shared.auth import Auth
from shared.database import make_registry
from shared.metrics import count_rate_limited
from shop_api.problems import ProblemApi


class Base(DeclarativeBase):
    registry = make_registry()


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True)
# Each 429 is counted by endpoint (/metrics: rate_limited_requests_total).
limiter = Limiter(key_func=get_remote_address, on_breach=count_rate_limited)
cache = Cache()
api = ProblemApi()
token_auth = HTTPTokenAuth(scheme="Bearer")
auth = Auth()  # the account rules only: no pages, no sessions
