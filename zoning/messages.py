"""Library messages made safe to send back to the person who uploaded a file."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

#: Control characters, and the surrogates Python leaves for bytes it could not decode: JSON
#: cannot carry the latter in UTF-8 (the answer would become a 500).
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
MAX_MESSAGE = 200


def printable(message: object, limit: int = MAX_MESSAGE, *, paths: Iterable[Path] = ()) -> str:
    """A parser's message quoting the upload: unprintable characters as « ? », at most `limit`,
    and each of `paths` (the server's copy of the file) named by its file name only."""
    text = str(message)
    for path in paths:
        text = text.replace(str(path), path.name)
    text = _UNPRINTABLE.sub("?", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
