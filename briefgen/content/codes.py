"""The problem codes this stage reports (see briefgen/codes.py): reading YAML (BG101-BG113),
fields of one file (BG120-BG139), what spans files (BG140-BG155), the project's folders
(BG160-BG166), references.json and the citation style (BG170-BG176), versions, corrections and
release records (BG180-BG182)."""

from __future__ import annotations

from briefgen.codes import Code, _table

CODES: dict[str, Code] = _table(
    # -- reading YAML: content/yamlread.py
    ("BG101", "a content file cannot be read",
     "content/terms.yaml: cannot read file: Permission denied"),
    ("BG102", "a content file is not a regular file",
     "content/audiences/public.yaml: not a regular file (content files must be ordinary "
     "YAML files)"),
    ("BG103", "a content file is too large",
     "content/briefs/demo/brief.yaml: file is 50.0 MB; content files are limited to 2 MB "
     "(split it or remove pasted data)"),
    ("BG104", "a content file is not UTF-8",
     "content/audiences/public.yaml:9:15: not valid UTF-8 (byte 0xed) (save the file with "
     "UTF-8 encoding)"),
    ("BG105", "a content file is empty",
     "content/audiences/public.yaml:1:1: file is empty"),
    ("BG106", "a character YAML does not allow",
     "content/audiences/public.yaml:9:16: character U+0001 is not allowed in YAML (delete "
     "it: most editors do not show it)"),
    ("BG107", "YAML syntax error",
     "content/briefs/demo/brief.yaml:11:10: YAML syntax error: expected ',' or ']', but got "
     "':'"),
    ("BG108", "a key appears twice",
     "content/briefs/demo/brief.yaml:5:1: duplicate key 'series' (first defined on line 4) "
     "(each key may appear only once)"),
    ("BG109", "values nested too deep",
     "content/audiences/public.yaml:9:53: values are nested more than 50 levels deep (check "
     "for brackets [ { that are never closed)"),
    ("BG110", "a YAML tag is not supported",
     "content/briefs/demo/brief.yaml:10:11: YAML tag '!!set' is not supported (remove it: "
     "content files hold only text, numbers, lists and mappings)"),
    ("BG111", "a YAML alias contains itself",
     "content/terms.yaml:2:3: a YAML alias (*name) points at a value that contains it (an "
     "alias cannot sit inside the value its &name anchor marks)"),
    ("BG112", "YAML aliases expand to too many values",
     "content/audiences/public.yaml:8:1: more than 100,000 values (content files are small; "
     "look for YAML aliases like *name that repeat a large block)"),
    ("BG113", "the YAML reader failed on odd input",
     "content/terms.yaml: YAML could not be read (RecursionError: maximum recursion depth "
     "exceeded) (simplify the syntax near recent edits)"),
    # -- fields of one file: content/validation.py, content/models.py
    ("BG114", "a character that is not text (a control or a noncharacter), written as an escape",
     "content/briefs/demo/brief.yaml:1:8: character U+FFFE is not text: no page, feed or PDF "
     "may carry it (remove the escape that writes it)"),
    ("BG120", "a required field is missing",
     "content/briefs/demo/brief.yaml:1:1: series: required field is missing"),
    ("BG121", "an unknown field",
     "content/briefs/demo/brief.yaml:2:1: shrot_title: unknown field 'shrot_title' (did you "
     "mean 'short_title'?)"),
    ("BG122", "an unknown section type",
     "content/briefs/demo/brief.yaml:32:11: sections[background].type: unknown section type "
     "'prse'; expected one of prose, tasks, issues, recommendations (did you mean 'prose'?)"),
    ("BG123", "a section without a type",
     "content/briefs/demo/brief.yaml:31:5: sections[background]: section needs a type: "
     "prose, tasks, issues or recommendations"),
    ("BG124", "a value that is not one of those allowed (a language, a page size, …)",
     "content/audiences/officials.yaml:5:12: page_size: 'legal' is not one of letter, a4"),
    ("BG125", "not a valid date",
     "content/briefs/demo/brief.yaml:6:7: date: '2026-02-30' is not a valid date (use "
     "YYYY-MM-DD): day value is outside expected range"),
    ("BG126", "not an http(s) URL",
     "content/briefs/demo/brief.yaml:104:10: sources[s1].url: 'ftp://example.org' is not an "
     "http(s) URL"),
    ("BG127", "an id or audience name that is not lowercase-with-hyphens, or a term key "
     "that is not lowercase letters and digits joined by '-' or '_'",
     "content/briefs/demo/brief.yaml:25:9: takeaways[0].id: 'T Shared' must be lowercase "
     "letters and digits joined by hyphens, like 'policy-recommendations'"),
    ("BG128", "a source_hash that is not one briefgen prints",
     "content/briefs/demo/translations/ko.yaml:5:18: units.meta.source_hash: must be the "
     "12-character hash `briefgen translations` prints"),
    ("BG129", "an empty value or list",
     "content/briefs/demo/brief.yaml:12:10: authors: must not be empty"),
    ("BG130", "a lone surrogate escape",
     "content/briefs/demo/brief.yaml:26:11: takeaways[t-shared].text: contains a lone "
     "surrogate (an escape such as \\ud800), which is not text (remove the escape, or write "
     "the character itself)"),
    ("BG131", "a value of the wrong kind (text, list, mapping, number)",
     "content/briefs/demo/brief.yaml:10:11: keywords: expected a list, got text"),
    ("BG132", "both audiences and exclude_audiences",
     "content/briefs/demo/brief.yaml:27:7: takeaways[t-officials]: use either audiences or "
     "exclude_audiences, not both"),
    ("BG133", "a forbidden phrase with nothing to look for",
     "content/audiences/public.yaml:8:35: forbidden_phrases[1]: the phrase ' ' is only "
     "spaces, dashes, quotes or invisible characters, which the guard ignores: there is "
     "nothing to look for"),
    ("BG134", "no marking for a language the audience reads",
     "content/audiences/public.yaml:3:1: marking: no text for ko, which languages lists (add "
     "ko: … under marking:)"),
    ("BG135", "a source's url that is not a valid URL",
     "content/briefs/demo/brief.yaml:120:10: sources[plan].url: 'https://../' is not a valid "
     "URL: its host '..' is not a domain name (labels of letters, digits and hyphens, "
     "separated by single dots)"),
    ("BG136", "an audience's locale that is malformed or of a language it does not read",
     "content/audiences/public.yaml:9:9: locale: ko-KR is not a locale of a language the "
     "audience reads (en): it is one of them and a region, e.g. en-US"),
    ("BG137", "an audience's base_url that is not an absolute https URL of a folder",
     "content/audiences/public.yaml:10:11: base_url: 'http://briefs.example.org/' is not a "
     "base URL: it does not begin with https://"),
    ("BG139", "any other invalid value, in pydantic's words",
     "content/briefs/demo/brief.yaml:5:9: number: Input should be … (pydantic's message)"),
    # -- what spans files: content/checks.py
    ("BG140", "an unknown term",
     "content/briefs/demo/brief.yaml:26:46: takeaways[t-shared].text: unknown term "
     "'[[plans]]' (did you mean 'plan'?)"),
    ("BG141", "a source unit is not translated into a language its readers read",
     "content/briefs/demo/brief.yaml:77:9: issue-c: not translated into ko "
     "(content/briefs/demo/translations/ko.yaml) (`briefgen translations` prints it to "
     "translate)"),
    ("BG142", "an unknown audience",
     "content/briefs/demo/brief.yaml:29:17: takeaways[t-officials].audiences[0]: unknown "
     "audience 'oficials' (did you mean 'officials'?)"),
    ("BG143", "section_order names a section no brief has",
     "content/audiences/public.yaml:7:17: section_order[0]: no brief has a section 'outlok' "
     "(did you mean 'outlook'?)"),
    ("BG144", "an id that repeats the page's own anchor",
     "content/briefs/demo/brief.yaml:62:13: sections[outlook].items[main].id: id 'main' would "
     "repeat the page's own anchor 'main' (choose another id, e.g. 'main-part')"),
    ("BG145", "an id used twice in a brief",
     "content/briefs/demo/brief.yaml:59:13: sections[outlook].items[task-a].id: duplicate id "
     "'task-a' (first used on line 55) (ids must be unique within a brief)"),
    ("BG146", "the reserved id 'meta'",
     "content/briefs/demo/brief.yaml:1:1: 'meta' is reserved; choose another id"),
    ("BG147", "a translation's audience blocks and spans differ from the source's",
     "content/briefs/demo/translations/ko.yaml:40:11: units.background.body: the translation "
     "lacks the source's audience block for officials (keep every audience block and span of "
     "the source, with the same audiences)"),
    ("BG148", "a translation shows a reader more blocks than the source",
     "content/briefs/demo/translations/ko.yaml:40:11: units.background.body: public sees 4 "
     "blocks (paragraphs, lists, headings) of the translation but 3 of the source (keep the "
     "source's blocks one for one: …)"),
    ("BG149", "a translation unit the source does not have",
     "content/briefs/demo/translations/ko.yaml:66:3: units.issue-z: no unit 'issue-z' in the "
     "source brief (did you mean 'issue-c'?)"),
    ("BG150", "a translated field the source unit does not have",
     "content/briefs/demo/translations/ko.yaml:30:5: units.outlook.closing: the source has no "
     "closing to translate"),
    ("BG151", "a field of a translated unit is not translated",
     "content/briefs/demo/translations/ko.yaml:28:3: units.outlook: body is not translated"),
    ("BG152", "a translation unit without source_hash (warning)",
     "content/briefs/demo/translations/ko.yaml:28:3: units.outlook: warning: no source_hash "
     "recorded, so a change to the source cannot be detected (add source_hash: "
     "\"0123456789ab\")"),
    ("BG153", "a stale translation (warning)",
     "content/briefs/demo/translations/ko.yaml:61:3: units.issue-c: warning: stale: the en "
     "source changed after this was translated (`briefgen translations` shows what to "
     "refresh)"),
    ("BG154", "an audience's language has no translation of a brief (warning)",
     "content/briefs/demo/brief.yaml:1:1: warning: no zh-Hans translation, so public's "
     "zh-Hans edition of this brief is not built"),
    ("BG155", "a translation writes a term's words where its source has [[key]] (warning)",
     "content/briefs/demo/translations/ko.yaml:12:14: units.intro.body: warning: writes out "
     "'한미동맹' where the source has [[alliance]] (write [[alliance]]: briefgen prints the "
     "term each audience uses)"),
    # -- the project's folders: content/project.py
    ("BG160", "no briefs/ folder",
     "content: no briefs/ folder here (run briefgen in a project folder, or pass --project)"),
    ("BG161", "an audience file name that is not an id",
     "content/audiences/Public.yaml: audience file names must be lowercase-with-hyphens"),
    ("BG162", "a brief folder name that is not an id",
     "content/briefs/My Brief #1?%: brief folder name 'My Brief #1?%' is not an id: lowercase "
     "letters and digits joined by hyphens (rename the folder, e.g. to 'my-brief-1')"),
    ("BG163", "a brief folder without brief.yaml",
     "content/briefs/draft: folder has no brief.yaml"),
    ("BG164", "a translation's language differs from its file name",
     "content/briefs/demo/translations/ko.yaml:1:11: language: says 'zh-Hans' but the file is "
     "named ko.yaml"),
    ("BG165", "a translation into the brief's own language",
     "content/briefs/demo/translations/en.yaml:1:1: translates the brief into its own "
     "language"),
    # -- references.json and the citation style: content/references.py
    ("BG166", "a brief's files changed while a build read them",
     "content/briefs/demo: its files changed while briefgen was building; nothing was "
     "written (build again)"),
    ("BG170", "references.json cannot be read",
     "content/briefs/demo/references.json: file is larger than 1 MB (a brief cites a few "
     "dozen references; export only those)"),
    ("BG171", "references.json is not valid JSON",
     "content/briefs/demo/references.json:4:5: JSON syntax error: Expecting ',' delimiter "
     "(references.json is CSL-JSON, as Zotero exports it)"),
    ("BG172", "a reference that is not a valid CSL-JSON item",
     "content/briefs/demo/references.json:7:5: [lee-2025]: unknown field 'titel' (did you "
     "mean 'title'?)"),
    ("BG173", "two references with the same id",
     "content/briefs/demo/references.json:12:3: two references have the id 'lee-2025' "
     "(first on line 2) (give each its own id (ids that differ only in case are the same "
     "id))"),
    ("BG174", "a citation style that cannot be found or used, or that fails while formatting",
     "content/briefs/demo/brief.yaml:9:17: citation_style: unknown citation style "
     "'chicago-note-bibliography' (did you mean 'chicago-notes-bibliography'?)"),
    ("BG175", "a reference no text cites (warning)",
     "content/briefs/demo/references.json:2:3: reference 'lee-2025' is cited nowhere in the "
     "brief (cite it as [@lee-2025], or remove it: the bibliography lists only what an "
     "edition cites)"),
    ("BG176", "a brief that still lists sources: (warning)",
     "content/briefs/demo/brief.yaml:80:1: sources: 'sources:' is deprecated: list the "
     "brief's references in references.json (CSL-JSON) and cite them as [@key] (see "
     "'Migrating from sources:' in docs/editing.md)"),
    ("BG180", "a version that is not digits separated by dots, or not in quotes",
     "content/briefs/demo/brief.yaml:7:10: version: '1.a' is not a version number: digits "
     "separated by dots, like \"1.0\" or \"2.1.3\""),
    ("BG181", "a release record (releases/<brief>.yaml) that cannot be read or is not valid",
     "releases/demo.yaml:4:11: [0].date: not a date (YYYY-MM-DD) (the release record is "
     "written by `briefgen release`: restore it from version control)"),
    ("BG182", "a correction dated before the brief's date",
     "content/briefs/demo/brief.yaml:96:11: corrections[fix-date].date: the correction is "
     "dated 2025-03-01, before the brief's date 2026-11-26 (a correction is made after "
     "publication: check the year)"),
)
