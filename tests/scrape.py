"""Read ``GET /metrics`` as Prometheus does: ``value(client, name, **labels)``
parses the text format with prometheus_client's own parser. Counters are
per process and the tests share one, so a test compares before and after."""

from __future__ import annotations

from flask.testing import FlaskClient
from prometheus_client.parser import text_string_to_metric_families


def value(client: FlaskClient, name: str, **labels: str) -> float:
    """The sample ``name`` with (at least) these labels, 0 when there is none yet."""
    return next(iter(samples(client, name, **labels)), 0.0)


def total(client: FlaskClient, name: str, **labels: str) -> float:
    """The sum of every sample ``name`` with (at least) these labels."""
    return sum(samples(client, name, **labels))


def samples(client: FlaskClient, name: str, **labels: str) -> list[float]:
    response = client.get("/metrics")
    assert response.status_code == 200, response.status_code
    return [
        float(sample.value)
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for sample in family.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    ]
