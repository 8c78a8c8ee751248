"""The shop API's extensions, created unbound and bound in ``create_app``.

No CSRFProtect here: the API authenticates with bearer tokens, which a
browser never attaches on its own, so a cross-site request cannot use them.
"""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase

from shared.auth import Auth
from shared.database import make_registry


class Base(DeclarativeBase):
    registry = make_registry()


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True)
limiter = Limiter(key_func=get_remote_address)
auth = Auth()
