"""The recipe site's own numbers, served on ``/metrics`` with the request
metrics (shared/metrics.py): uploads refused, and why. A rise in one reason
says what to fix: a page that lets phones send HEIC, a limit set too low."""

from prometheus_client import Counter

UPLOADS_REFUSED = Counter(
    "uploads_refused_total",
    "Photo uploads refused, by reason (recipes/images.py, and too_big: recipes/forms.py)",
    ["app", "reason"],
)
