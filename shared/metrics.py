"""Prometheus metrics: ``GET /metrics`` on the app's own port, in Prometheus's
text format, for a Prometheus server that scrapes the app directly.

prometheus-flask-exporter times every request by endpoint (the view's name,
not the path: ``/orders/1`` and ``/orders/2`` are one series), method and
status (``flask_http_request_duration_seconds``, a histogram whose ``_count``
counts them), and counts them by method and status alone
(``flask_http_request_total``); an app's own numbers are prometheus_client
counters in its ``metrics.py``, counted by its services. The library's series
and the apps' carry ``app="<package>"``, so one scrape job can cover every app.

Under gunicorn, whose worker processes share nothing, prometheus_client's
multiprocess mode adds them up: ``PROMETHEUS_MULTIPROC_DIR`` (set in the image)
names a folder where each process writes its values, and a scrape of any worker
reads them all (gunicorn.conf.py empties the folder at start).

Not public: nginx answers 404 for ``/metrics`` itself (docker/nginx), and
the app answers 404 to a request that came through a proxy that adds
``X-Forwarded-For`` (nginx, a Kubernetes Ingress, most HTTP load balancers).
A proxy that adds nothing, such as a TCP load balancer (a Kubernetes Service
of type LoadBalancer) in front of the pods, would pass it on: keep the app's
port behind an HTTP proxy, as compose and deploy/kubernetes/ do.
"""

import os
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, request
from flask_limiter import RequestLimit
from prometheus_client import REGISTRY, CollectorRegistry, Counter
from prometheus_flask_exporter import PrometheusMetrics  # type: ignore[import-untyped]
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Request

from shared.mail import update_outbox_gauges
from shared.security import add_security_headers

PATH = "/metrics"
# The library labels every request with its method, and gunicorn passes any
# method of 3 to 20 capital letters: a client making methods up would make
# series without end. HTTP's own methods (RFC 9110, and PATCH) reach Flask;
# any other gets the app's answer to it (``refused_method``), uncounted.
HTTP_METHODS = frozenset(
    {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"}
)

RATE_LIMITED = Counter(
    "rate_limited_requests_total",
    "Requests refused with 429 by a rate limit (Flask-Limiter), by endpoint",
    ["app", "endpoint"],
)


def init_metrics(app: Flask) -> None:
    """Count and time ``app``'s requests and serve ``/metrics``."""
    # One PrometheusMetrics per app, each in a registry of its own: the library
    # adds its request hooks only to the first app it is given in a process
    # (the tests build hundreds), and a second set of the same metrics in
    # prometheus_client's global registry would be refused as a duplicate. The
    # global registry (the services' metrics; in one process also its CPU and
    # memory, which multiprocess mode cannot add up) is read into each app's.
    if folder := os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        os.makedirs(folder, exist_ok=True)  # it may be on a fresh tmpfs (Kubernetes' emptyDir)
    registry = CollectorRegistry()
    registry.register(REGISTRY)
    metrics = PrometheusMetrics.for_app_factory(
        path=None,  # served by metrics_endpoint, below
        group_by="endpoint",
        default_labels={"app": app.name},
        registry=registry,
    )
    metrics.init_app(app)
    # In front of Flask, not a view: TRUSTED_HOSTS would refuse Prometheus,
    # which sends the container's or pod's address as Host, before any view
    # runs; and a scrape every few seconds is neither a request to log nor to count.
    scrape = metrics_endpoint(app, metrics)
    counted = app.wsgi_app

    def metrics_or_app(environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") == PATH:
            return scrape(environ, start_response)
        if environ["REQUEST_METHOD"] in HTTP_METHODS:
            return counted(environ, start_response)
        return refused_method(app, environ)(environ, start_response)

    app.wsgi_app = metrics_or_app  # type: ignore[method-assign]


def refused_method(app: Flask, environ: dict[str, Any]) -> Response:
    """The app's own answer to a method HTTP does not define, made by its error
    handler (its page, or the API's problem+json) with its security headers, but
    without its request hooks, which would count it: Flask's routing decides it
    (405 with the route's methods, 404, or 400 for an untrusted Host)."""
    with app.request_context(environ):
        error = request.routing_exception or NotFound()
        response = app.make_response(app.handle_http_exception(error))
        return add_security_headers(app, response)


def metrics_endpoint(app: Flask, metrics: PrometheusMetrics) -> Callable[..., Any]:
    @Request.application
    def serve(scrape: Request) -> Response:
        if "X-Forwarded-For" in scrape.headers:
            answer = Response("Not Found", status=404, mimetype="text/plain")
        elif scrape.method not in ("GET", "HEAD"):
            answer = Response("Method Not Allowed", status=405, mimetype="text/plain")
            answer.allow.update(("GET", "HEAD"))
        else:
            answer = metrics_text(app, metrics, scrape)
        return add_security_headers(app, answer)

    return serve


def metrics_text(app: Flask, metrics: PrometheusMetrics, scrape: Request) -> Response:
    if "outbox" in app.extensions:
        # Gauges that are read, not counted (how many mails wait), set before
        # each scrape. Set, not computed in a custom collector or
        # ``Gauge.set_function``: neither works in multiprocess mode, where a
        # scrape reads only the values the processes wrote to their files. A
        # gauge set here with ``multiprocess_mode="mostrecent"`` reads the same in both.
        with app.app_context():
            update_outbox_gauges()
    # The library's own exposition: this app's registry, or, under gunicorn
    # (PROMETHEUS_MULTIPROC_DIR set), the values every worker wrote.
    body, content_type = metrics.generate_metrics(scrape.headers.get("Accept"))
    return Response(body, content_type=content_type)


def count_rate_limited(limit: RequestLimit) -> None:
    """Flask-Limiter's ``on_breach``: a 429 of any limit, counted by endpoint
    (``auth.login``: logins refused for trying too often)."""
    RATE_LIMITED.labels(app=current_app.name, endpoint=request.endpoint or "").inc()
