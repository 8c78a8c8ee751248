"""The help desk's extensions, created unbound and bound in ``create_app``."""

from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase

from shared.auth import Auth
from shared.database import make_registry
from shared.mail import MailOutbox
from shared.metrics import count_rate_limited


class Base(DeclarativeBase):
    registry = make_registry()


db = SQLAlchemy(model_class=Base)
# Batch mode lets migrations alter columns on SQLite, which has no ALTER COLUMN.
migrate = Migrate(render_as_batch=True)
csrf = CSRFProtect()
# Each 429 is counted by endpoint (/metrics: rate_limited_requests_total).
limiter = Limiter(key_func=get_remote_address, on_breach=count_rate_limited)
auth = Auth()
outbox = MailOutbox()
cache = Cache()
