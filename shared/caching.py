"""Cached answers kept under a version that every write replaces.

A read takes the version before it queries: Flask-Caching's ``cached`` makes
its key first, and ``key_prefix=`` a function that calls ``cache_version``
puts the version in it. A write, after its commit, calls
``replace_cache_version``. Deleting the cached answers instead would leave a
gap: a read whose query ran just before the commit could store its older answer
just after the delete, to be served until it expires. Under a version, that
answer is stored under the version the write replaced, and no request asks for
it again. (Flask-Caching's ``memoize`` keeps a version too, but writes it again
after each store, so it can put back a version that a write had just deleted.)"""

import logging
import secrets

from flask_caching import Cache

logger = logging.getLogger("capstones.caching")


def cache_version(cache: Cache, name: str) -> str:
    """The version the answers called ``name`` are cached under: read before the query."""
    version = cache.get(f"{name}-version")
    if version is None:  # the first read, or the cache dropped the key
        version = _new_version(cache, name)
    return version


def replace_cache_version(cache: Cache, name: str) -> None:
    """After a write's commit: the answers cached before it are under an old
    version, never read again, and left to expire.

    A cache that cannot be reached (Redis down) does not turn the committed
    write into a 500, which a client might retry as a second order: the error
    is logged, as Flask-Caching's ``cached`` logs one on a read, and once the
    cache is back the answers it kept may be served until they expire
    (``CACHE_DEFAULT_TIMEOUT``, 300 s by default)."""
    try:
        _new_version(cache, name)
    except Exception:  # whatever the store raises: Redis, Memcached...
        logger.exception("The cached %s could not be invalidated", name)


def _new_version(cache: Cache, name: str) -> str:
    """A random version: never one that an old answer was stored under."""
    version = secrets.token_hex(8)
    cache.set(f"{name}-version", version, timeout=0)  # 0: no expiry
    return version
