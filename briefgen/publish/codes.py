"""The problem codes this stage reports (see briefgen/codes.py)."""

from __future__ import annotations

from briefgen.codes import Code, _table

CODES: dict[str, Code] = _table(
)
