"""Running behind a reverse proxy (nginx, a load balancer, a PaaS router).

Behind a proxy every request seems to come from the proxy itself: rate
limits would lump all users together and ``url_for(_external=True)`` would
say http instead of https. ``PROXY_COUNT`` (say ``HELPDESK_PROXY_COUNT=1``)
tells the app how many proxies to trust ``X-Forwarded-*`` headers from. It is
0 by default: without a proxy, those headers come from the client and must
not be believed.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def trust_proxy_headers(app: Flask) -> None:
    count = int(app.config.get("PROXY_COUNT", 0))
    if count > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=count, x_port=count
        )
