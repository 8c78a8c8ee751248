"""Traces with OpenTelemetry: each request, its SQL queries, and the Celery
tasks it queues with theirs, as one trace (the trace context travels in the
task message's headers, put there by the Celery instrumentation).

Off unless OpenTelemetry's own environment variables ask for traces: an
exporter (``OTEL_TRACES_EXPORTER=otlp`` or ``console``) or an OTLP endpoint
(``OTEL_EXPORTER_OTLP_ENDPOINT``, ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``); and
``OTEL_SDK_DISABLED=true`` turns them off whatever else is set. The SDK alone
would export to localhost:4318 with nothing set; an app whose operator never
asked for traces should neither send them nor log that no collector answers.
OTLP goes over HTTP (``http/protobuf``, a collector's port 4318): the extra
has no gRPC exporter, and another ``OTEL_EXPORTER_OTLP_PROTOCOL`` is logged as
an error. The rest is the SDK's: ``OTEL_SERVICE_NAME`` (here defaulting to the
app's package), ``OTEL_EXPORTER_OTLP_HEADERS``, ``OTEL_TRACES_SAMPLER``... Needs
the ``otel`` extra; without it, a request for traces is logged as an error.

A Celery worker sets tracing up in its main process, as it builds the app,
before the prefork pool forks the children that run the tasks: the SDK's batch
processor starts its export thread again in a forked child, and a child's last
spans are flushed as it exits (below)."""

import logging
import os
from typing import TYPE_CHECKING

from celery.signals import worker_process_shutdown
from flask import Flask
from flask_sqlalchemy import SQLAlchemy

from shared.request_logging import without_reset_token

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.export import SpanExporter

logger = logging.getLogger("capstones.tracing")


def tracing_requested() -> bool:
    if os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    if exporters := os.environ.get("OTEL_TRACES_EXPORTER", "").strip().lower():
        return exporters != "none"
    endpoints = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    return any(os.environ.get(name) for name in endpoints)


def init_tracing(app: Flask, *, db: SQLAlchemy) -> None:
    if not tracing_requested():
        return
    try:  # the optional `otel` extra
        from opentelemetry import trace
        from opentelemetry.instrumentation.celery import CeleryInstrumentor
        from opentelemetry.instrumentation.flask import FlaskInstrumentor
        from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
        from opentelemetry.sdk.resources import SERVICE_NAME, Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        logger.error("OTEL_* variables ask for traces, but the otel extra is not installed")
        return
    # The tracer provider is the process's, as logging is: set by the first app.
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        service = os.environ.get("OTEL_SERVICE_NAME") or app.name
        provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service}))
        for exporter in span_exporters():
            provider.add_span_processor(BatchSpanProcessor(exporter))
        trace.set_tracer_provider(provider)
        # A pool's child leaves by os._exit, past the SDK's flush at exit (atexit).
        worker_process_shutdown.connect(lambda **_: provider.shutdown(), weak=False)
    FlaskInstrumentor().instrument_app(app)
    app.before_request(keep_tokens_out_of_the_trace)  # after the instrumentation's own
    with app.app_context():
        engines = list(db.engines.values())
    # Instrumentors are once a process too (a process serves one app).
    if not SQLAlchemyInstrumentor().is_instrumented_by_opentelemetry:
        # Its release declares SQLAlchemy < 2.1, and would refuse 2.1 (the
        # version pinned here); tests/shared/test_tracing.py proves the spans.
        SQLAlchemyInstrumentor().instrument(engines=engines, skip_dep_check=True)
    if not CeleryInstrumentor().is_instrumented_by_opentelemetry:
        CeleryInstrumentor().instrument()  # the sender's side and the worker's


def keep_tokens_out_of_the_trace() -> None:
    """The request's span says ``<token>``, as the log does, for a reset link's
    token (its route already does: ``/password-reset/<token>``)."""
    from opentelemetry import trace

    span = trace.get_current_span()
    for name, value in dict(getattr(span, "attributes", None) or {}).items():
        if isinstance(value, str) and (hidden := without_reset_token(value)) != value:
            span.set_attribute(name, hidden)  # http.target, url.path...


def span_exporters() -> list["SpanExporter"]:
    """The exporters ``OTEL_TRACES_EXPORTER`` names (default: otlp). OTLP goes
    over HTTP, the one protocol of the extra's exporter. (The SDK's own set-up
    from these variables, ``opentelemetry.sdk._configuration``, is private, and
    picks the gRPC exporter when no protocol is set.)"""
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace.export import ConsoleSpanExporter

    protocol = (
        os.environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
        or os.environ.get("OTEL_EXPORTER_OTLP_PROTOCOL")
        or "http/protobuf"
    ).strip()
    exporters: list[SpanExporter] = []
    for name in os.environ.get("OTEL_TRACES_EXPORTER", "otlp").lower().split(","):
        if name.strip() == "otlp" and protocol != "http/protobuf":
            logger.error(
                "OTEL_EXPORTER_OTLP_PROTOCOL: the otel extra sends OTLP as http/protobuf, "
                "not %r: set http/protobuf, and the collector's OTLP/HTTP port (4318)",
                protocol,
            )
        elif name.strip() == "otlp":
            exporters.append(OTLPSpanExporter())  # reads OTEL_EXPORTER_OTLP_*
        elif name.strip() == "console":
            exporters.append(ConsoleSpanExporter())
        elif name.strip() != "none":
            logger.error("OTEL_TRACES_EXPORTER: %r is not one of otlp, console, none", name)
    return exporters
