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


# Objects keep their values after commit instead of being reloaded on next
# use: an API answer is built right after its commit (the new order, the
# changed product) and a reload would cost one SELECT per object. Each
# request has its own session, so nothing outlives the request to go stale.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate(render_as_batch=True)
limiter = Limiter(key_func=get_remote_address)
auth = Auth()
