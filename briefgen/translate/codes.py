"""The problem codes of the translators' exchange (see briefgen/codes.py)."""

from __future__ import annotations

from briefgen.codes import Code, _table

CODES: dict[str, Code] = _table(
    # the report and the history of a source (translate/report.py, translate/history.py):
    # BG601-BG619
    # files out and back in (XLIFF, PO; translate/exchange and its modules): BG620-BG659
    # the glossary (translate/glossary.py): BG660-BG679
)
