"""Behind a reverse proxy every request seems to come from the proxy: rate
limits would lump all users together and external URLs would say http. Set
``<PREFIX>_PROXY_COUNT`` to the number of proxies whose ``X-Forwarded-*``
headers to trust; 0 by default, since without a proxy the client sets them."""

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def trust_proxy_headers(app: Flask) -> None:
    if count := int(app.config.get("PROXY_COUNT", 0)):
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=count, x_port=count
        )
