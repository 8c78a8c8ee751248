"""Traces (shared/tracing.py): off unless the OTEL_* variables ask for them;
when on, a request, its SQL, the Celery task it queued and that task's SQL in
a real worker are one trace, read back from OpenTelemetry's in-memory exporter,
and from a real ``celery worker`` process's prefork child, which prints them."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import setup_logging
from flask import Flask
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.celery import CeleryInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from shared.tracing import span_exporters, tracing_requested
from shared.worker import worker_celery
from tests.servers import celery_worker, serve, wait_for

SPANS = InMemorySpanExporter()


@pytest.fixture
def exported(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemorySpanExporter]:
    """Traces asked for, and kept in memory. The tracer provider is the
    process's, made once: set here first, init_tracing uses it as it is."""
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(SPANS))
        trace.set_tracer_provider(provider)
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "console")
    SPANS.clear()
    yield SPANS
    SQLAlchemyInstrumentor().uninstrument()
    CeleryInstrumentor().uninstrument()


def requests_are_traced(app: Flask) -> bool:
    """Whether a view of ``app`` runs inside a recorded span."""

    @app.get("/traced")
    def traced() -> dict[str, bool]:
        return {"recording": trace.get_current_span().is_recording()}

    return bool(app.test_client().get("/traced").json["recording"])  # type: ignore[index]


@pytest.mark.parametrize(
    ("variables", "requested"),
    [
        ({}, False),
        ({"OTEL_TRACES_EXPORTER": "otlp"}, True),
        ({"OTEL_TRACES_EXPORTER": "none"}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"}, True),
        (
            {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_SDK_DISABLED": "true"},
            False,
        ),
        ({"OTEL_SERVICE_NAME": "desk"}, False),  # naming the service asks for nothing
    ],
)
def test_traces_are_on_only_when_the_otel_variables_ask_for_them(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], requested: bool
) -> None:
    for name in ("OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_SDK_DISABLED"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert tracing_requested() is requested


def test_the_exporters_are_the_ones_otel_traces_exporter_names(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "otlp, console,zipkin")
    with caplog.at_level(logging.ERROR, logger="capstones.tracing"):
        exporters = span_exporters()
    assert [type(exporter) for exporter in exporters] == [OTLPSpanExporter, ConsoleSpanExporter]
    assert "'zipkin' is not one of otlp, console, none" in caplog.text


def test_otlp_is_sent_over_http_and_another_protocol_is_refused_with_an_error(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "otlp,console")
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
    with caplog.at_level(logging.ERROR, logger="capstones.tracing"):
        assert [type(exporter) for exporter in span_exporters()] == [ConsoleSpanExporter]
    assert "sends OTLP as http/protobuf, not 'grpc'" in caplog.text
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf")  # the one that counts
    assert [type(exporter) for exporter in span_exporters()] == [
        OTLPSpanExporter,
        ConsoleSpanExporter,
    ]


def test_without_the_variables_nothing_is_traced(app_factory: Any) -> None:
    assert not requests_are_traced(app_factory())


def test_without_the_otel_extra_a_request_for_traces_is_logged_and_the_app_runs(
    app_factory: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")
    monkeypatch.setitem(sys.modules, "opentelemetry.instrumentation.celery", None)  # not installed
    with caplog.at_level(logging.ERROR, logger="capstones.tracing"):
        app = app_factory()
    assert "OTEL_* variables ask for traces, but the otel extra is not installed" in caplog.text
    assert app.test_client().get("/healthz").status_code == 200


def test_a_reset_links_token_is_not_in_the_trace(
    exported: InMemorySpanExporter, app_factory: Any
) -> None:
    app = app_factory()
    exported.clear()
    token = "a-reset-token-0123456789"
    app.test_client().get(f"/auth/password-reset/{token}?again={token}")
    [request] = [span for span in exported.get_finished_spans() if span.kind == SpanKind.SERVER]
    assert request.name == "GET /auth/password-reset/<token>"
    assert attributes(request)["http.target"] == "/auth/password-reset/<token>?again=<token>"
    assert not [value for value in attributes(request).values() if token in str(value)]


def test_a_request_and_the_task_it_queued_are_one_trace_with_their_sql(
    exported: InMemorySpanExporter, app_factory: Any, tmp_path: Path
) -> None:
    app = app_factory(CELERY_BROKER_FOLDER=str(tmp_path / "broker"))
    assert requests_are_traced(app)
    exported.clear()  # the tables the fixture made

    def keep_pytests_logging(**kwargs: Any) -> None:
        """Celery sets up no logging while this receives its signal."""

    setup_logging.connect(keep_pytests_logging)
    try:
        with start_worker(worker_celery(app), pool="solo", perform_ping_check=False):
            response = app.test_client().post("/notes/mailed-at-once", data={"text": "hi"})
            assert response.status_code == 201
            wait_for(lambda: consumer_spans(exported), 30, "the worker to run the task")
    finally:
        setup_logging.disconnect(keep_pytests_logging)

    spans = exported.get_finished_spans()
    [request] = [span for span in spans if span.kind == SpanKind.SERVER]
    [task] = consumer_spans(exported)
    sql = [
        span for span in spans if span.kind == SpanKind.CLIENT and "db.system" in attributes(span)
    ]
    assert {trace_id(span) for span in spans} == {trace_id(request)}  # one trace
    assert request.name == "POST /notes/mailed-at-once"
    assert task.name == "run/mail.send_due"
    assert ancestors(task, spans)[-1] is request  # through the publish span
    inserts = [span for span in sql if ancestors(span, spans)[0] is request]
    reads = [span for span in sql if ancestors(span, spans)[0] is task]
    assert inserts, "the request's INSERTs are children of the request"
    assert reads, "the task's queries are children of the task"
    assert len(inserts) + len(reads) == len(sql)


def test_a_task_run_by_a_prefork_child_of_a_real_worker_is_in_the_requests_trace(
    exported: InMemorySpanExporter, app_factory: Any, database_url: str, tmp_path: Path
) -> None:
    """As compose and Kubernetes run it: ``celery worker`` with the prefork pool,
    whose main process sets tracing up before forking the child that runs the
    task. The worker prints its spans (console exporter), and its batch processor
    is told to wait 10 minutes between exports: what it prints, the child
    flushed as it exited."""
    broker = tmp_path / "broker"
    app = app_factory(CELERY_BROKER_FOLDER=str(broker))
    worker_celery(app)  # makes the broker's folder, as the worker would
    exported.clear()
    assert app.test_client().post("/notes/mailed-at-once", data={"text": "hi"}).status_code == 201
    [request] = [span for span in exported.get_finished_spans() if span.kind == SpanKind.SERVER]
    [sent] = [span for span in exported.get_finished_spans() if span.kind == SpanKind.PRODUCER]

    env = {
        **os.environ,  # OTEL_TRACES_EXPORTER=console, from the fixture
        "TINY_DATABASE_URL": database_url,
        "TINY_CELERY_BROKER_FOLDER": str(broker),
        "OTEL_BSP_SCHEDULE_DELAY": "600000",  # milliseconds
    }
    log = tmp_path / "worker.log"
    with serve(celery_worker("tests.shared.tiny_worker", pool="prefork"), env, log=log):
        wait_for(lambda: "succeeded" in log.read_text(), 30, "the worker to run the task")
        assert "ForkPoolWorker-1] Task mail.send_due" in log.read_text()  # in the child
        assert printed_spans(log) == []
    spans = printed_spans(log)
    [task] = [span for span in spans if span["kind"] == "SpanKind.CONSUMER"]
    assert task["name"] == "run/mail.send_due"
    assert task["context"]["trace_id"] == f"0x{trace_id(request):032x}"
    assert task["parent_id"] == f"0x{span_id(sent):016x}"  # the request's publish span
    sql = [span for span in spans if "db.system" in span["attributes"]]
    assert sql, "the task's queries"
    assert {span["parent_id"] for span in sql} == {task["context"]["span_id"]}


def printed_spans(log: Path) -> list[dict[str, Any]]:
    """The spans the console exporter printed among the worker's log lines:
    each an indented JSON object, from a line ``{`` to its line ``}``."""
    text = log.read_text()
    starts = [match.start() for match in re.finditer(r"^\{$", text, re.MULTILINE)]
    return [json.JSONDecoder().raw_decode(text, start)[0] for start in starts]


def consumer_spans(exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    return [span for span in exporter.get_finished_spans() if span.kind == SpanKind.CONSUMER]


def attributes(span: ReadableSpan) -> dict[str, Any]:
    return dict(span.attributes or {})


def trace_id(span: ReadableSpan) -> int:
    assert span.context is not None
    return span.context.trace_id


def span_id(span: ReadableSpan) -> int:
    assert span.context is not None
    return span.context.span_id


def ancestors(span: ReadableSpan, spans: tuple[ReadableSpan, ...]) -> list[ReadableSpan]:
    """``span``'s parent, its parent's parent... up to the trace's root."""
    by_id = {s.context.span_id: s for s in spans if s.context is not None}
    found: list[ReadableSpan] = []
    while span.parent is not None:
        span = by_id[span.parent.span_id]
        found.append(span)
    return found
