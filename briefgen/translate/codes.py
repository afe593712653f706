"""The problem codes of the translators' exchange (see briefgen/codes.py)."""

from __future__ import annotations

from briefgen.codes import Code, _table

_F = "build/translations/demo.ko.xlf"

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
    ("BG620", "a returned file cannot be read, is too large, or is neither XLIFF nor PO",
     f"{_F}: the file is larger than 20,000,000 bytes"),
    ("BG621", "a returned file is not well-formed XLIFF 2 (or PO), or uses a DTD or entities",
     f"{_F}:12:5: not well-formed XML: mismatched tag"),
    ("BG622", "a returned file is for a brief this project does not have",
     f"{_F}:3:1: the file is for brief 'other', which this project does not have "
     "(briefs: demo)"),
    ("BG623", "a returned file is in a language no audience of the brief reads in translation",
     f"{_F}:3:1: the file translates into 'fr', which no audience of demo reads in "
     "translation"),
    ("BG624", "a returned entry's unit, field or segment is not in the source",
     f"{_F}:40:1: ghost/body/1: no such unit, field or segment in "
     "content/briefs/demo/brief.yaml for ko"),
    ("BG625", "a returned file's source text does not give the source_hash it carries",
     f"{_F}:40:1: outlook: the file's source text does not give the source_hash it carries "
     "(0123456789ab): it was changed outside a translator's tool (export the file again)"),
    ("BG626", "a placeholder of the source is missing from the translation",
     f"{_F}:41:1: outlook/body/1: the placeholder '[[plan]]' is missing from the "
     "translation"),
    ("BG627", "a placeholder appears more often in the translation than in the source",
     f"{_F}:41:1: outlook/body/1: the placeholder '[[plan]]' appears 2 times in the "
     "translation, once in the source"),
    ("BG628", "the translation has a code, or an inline element, the source has not",
     f"{_F}:41:1: outlook/body/1: the translation has a code the source has not: '[[x]]' "
     "(id 9)"),
    ("BG629", "a paired code is opened but not closed, or closed before it is opened",
     f"{_F}:41:1: outlook/body/1: the code '**' is opened but never closed"),
    ("BG630", "a code moved out of or into the span or ':::' block that encloses it",
     f"{_F}:41:1: outlook/body/1: '[^1]' is reordered illegally: it moved out of or into "
     "the audience or lang span or the ':::' block that encloses it in the source"),
    ("BG631", "the line structure (newlines, markers, blocks) differs from the source's",
     f"{_F}:41:1: outlook/body/1: the line structure (newlines, list and table markers, "
     "':::' lines) is reordered illegally"),
    ("BG632", "Markdown typed as text in the translation becomes syntax the source has not",
     f"{_F}:41:1: outlook/body/1: the translation has term [[plan]], which the source has "
     "not (Markdown typed as text becomes syntax)"),
    ("BG633", "a returned field's audience blocks and spans differ from the source's",
     f"{_F}:41:1: outlook/body: the audience skeleton differs from the source: the "
     "translation lacks the source's '::: audience public' block"),
    ("BG634", "the translation file, merged, fails a check of `briefgen check`",
     "content/briefs/demo/translations/ko.yaml:12:5: after the import: unknown term "
     "'[[plna]]'"),
    # the glossary (translate/glossary.py): BG660-BG679
    ("BG660", "glossary: no audience reads the language asked for",
     "briefgen: --lang: no audience reads 'ja', so there is no translation to make a glossary "
     "for (languages the audiences read: en, ko, zh-Hans)"),
    ("BG661", "glossary: every brief is written in the language asked for",
     "briefgen: --lang: every brief is written in 'en': there is nothing to translate into it "
     "(give a language the briefs are translated into)"),
)
