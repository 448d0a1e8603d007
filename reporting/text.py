"""Cleaning the text people type: one function for the forms and the services."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# C0 and C1 control characters other than tab and new lines (PostgreSQL also refuses NUL).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Invisible characters that reorder or hide text (bidirectional embeddings, overrides,
# isolates and marks; zero-width spaces, joiners and the BOM): a name typed with them shows
# staff something other than what is stored ("Sam\u202eenoB" reads "SamBone"). Removed too.
INVISIBLE = re.compile(r"[\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_LINE_BREAKS = re.compile(r"[\t\n]+")


def clean_text(value: Any, *, multiline: bool = True) -> str:
    """A typed value as stored text: str, NFC, control and invisible (bidirectional, zero-width)
    characters removed, new lines as \\n (or, on a one-line answer, tabs and new lines as one
    space), outer whitespace trimmed.
    HTML is kept as typed (it is text; templates escape it)."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    text = INVISIBLE.sub("", _CONTROL.sub("", text))
    if not multiline:
        text = _LINE_BREAKS.sub(" ", text)
    return text.strip()
