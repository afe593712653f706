"""The problem codes of the translators' exchange (see briefgen/codes.py)."""

from __future__ import annotations

from briefgen.codes import Code, _table

CODES: dict[str, Code] = _table(
    # the report and the history of a source (translate/report.py, translate/history.py):
    # BG601-BG619
    ("BG601", "a unit the translation lacks (the report, `briefgen translations`)",
     "content/briefs/demo/translations/ko.yaml: issue-c: warning: missing (source "
     "content/briefs/demo/brief.yaml:77)"),
    ("BG602", "a unit whose source changed since it was translated (the report)",
     "content/briefs/demo/translations/ko.yaml:49:3: task-a: warning: stale (source "
     "content/briefs/demo/brief.yaml:55)"),
    # files out and back in (XLIFF, PO; translate/exchange and its modules): BG620-BG659
    # the glossary (translate/glossary.py): BG660-BG679
    ("BG660", "glossary: no audience reads the language asked for",
     "briefgen: --lang: no audience reads 'ja', so there is no translation to make a glossary "
     "for (languages the audiences read: en, ko, zh-Hans)"),
    ("BG661", "glossary: every brief is written in the language asked for",
     "briefgen: --lang: every brief is written in 'en': there is nothing to translate into it "
     "(give a language the briefs are translated into)"),
)
