"""A photo too large to keep, read without losing the form around it.

Werkzeug refuses a body over ``MAX_CONTENT_LENGTH`` before reading any of
it, so a 413 there throws away everything the cook typed. The recipe site
therefore allows a request well above the photo limit (``MAX_CONTENT_LENGTH``,
32 MB) and stops keeping a file's bytes past ``MAX_PHOTO_BYTES`` (10 MB):
the rest is read off the wire and dropped, the text fields arrive whole, and
the form comes back with a message next to the photo. Past 32 MB the request
is refused before reading, with the 413 page.

Most people never get that far: a small script (static/photo-size.js) checks
the file's size in the browser before uploading it.
"""

from __future__ import annotations

from tempfile import SpooledTemporaryFile
from typing import IO, Any

from flask import Request, current_app
from werkzeug.datastructures import FileStorage

# Kept in memory up to this size, then in a temporary file (as Werkzeug does).
IN_MEMORY_BYTES = 500 * 1024


class CappedFile(SpooledTemporaryFile[bytes]):
    """Keeps the first ``limit`` bytes written to it and counts the rest."""

    def __init__(self, limit: int) -> None:
        super().__init__(max_size=IN_MEMORY_BYTES, mode="w+b")
        self.limit = limit
        self.received = 0

    @property
    def too_large(self) -> bool:
        return self.received > self.limit

    def write(self, data: Any) -> int:
        room = max(self.limit + 1 - self.received, 0)  # one byte past: "too large"
        self.received += len(data)
        if room:
            super().write(data[:room])
        return len(data)


class RecipesRequest(Request):
    """Uploaded files go into a CappedFile of ``MAX_PHOTO_BYTES``."""

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        return CappedFile(current_app.config["MAX_PHOTO_BYTES"])


def received_bytes(file: FileStorage) -> int | None:
    """How many bytes the client sent for ``file``, if its photo was too
    large to keep; None when it was kept whole."""
    stream = file.stream
    if isinstance(stream, CappedFile) and stream.too_large:
        return stream.received
    return None
