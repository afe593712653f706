"""The problem codes this stage reports (see briefgen/codes.py)."""

from __future__ import annotations

from briefgen.codes import Code, _table

CODES: dict[str, Code] = _table(
    # serve (commands/serve.py); a preview's content, template and leak problems keep theirs
    ("BG501", "a preview failed in an unexpected way (a page is answered all the same)",
     "briefgen: this preview failed: RecursionError: maximum recursion depth exceeded "
     "(check the templates; run briefgen check)"),
    # diff (commands/diff.py)
    ("BG511", "the two audiences share no language for a brief",
     "briefgen: officials and public share no language for demo"),
    ("BG512", "the two audiences are not both published in the language asked for",
     "briefgen: officials and public are not both published in ko for demo"),
    # redline (commands/redline.py, snapshots.py, pagetext.py)
    ("BG541", "a redline asks for a brief that has no release record",
     "releases/demo.yaml: no release of demo is recorded"),
    ("BG543", "a redline asks for a version the release record does not have",
     "releases/demo.yaml: no release 1.2 of demo (recorded: 1.0, 1.1)"),
    ("BG544", "a release has no edition for the audience and language asked for",
     "releases/demo.yaml:7:3: release 1.0 of demo has no edition public/ko"),
    ("BG545", "a release's snapshot of an edition is missing",
     "releases/demo/1.0/public/en.html: the snapshot of release 1.0 is missing (recorded "
     "at releases/demo.yaml:20)"),
    ("BG546", "a release's snapshot was changed after the release (its sha256 differs)",
     "releases/demo/1.0/public/en.html: does not match the sha256 recorded for release 1.0 "
     "at releases/demo.yaml:20: it was changed after the release"),
    ("BG547", "a snapshot cannot be read as an edition's HTML page",
     "releases/demo/1.0/public/en.html: cannot be read as an edition's page: not UTF-8 "
     "(byte 10)"),
    ("BG548", "a redline's edition is no longer made by the working tree, so it cannot be "
     "guarded", "briefgen: public/ko is no longer an edition of demo: a redline is guarded "
     "with its audience's rules, so it cannot be made"),
    # new (commands/scaffold.py)
    ("BG521", "a new brief's or audience's id is not a valid id",
     "briefgen: 'Energy Outlook' is not a valid brief id: use lowercase letters and digits "
     "joined by hyphens, like 'energy-security'"),
    ("BG522", "a new brief or audience already exists",
     "briefgen: content/briefs/energy-outlook/brief.yaml already exists; choose another "
     "brief id"),
    ("BG523", "`briefgen new theme` would overwrite a file of the project's templates",
     "briefgen: templates/base.html.j2 already exists; nothing was written (move it away "
     "to copy briefgen's, or copy the files you want by hand)"),
    # release (commands/release.py)
    ("BG531", "the brief's version: is not the version to release",
     "content/briefs/demo/brief.yaml:7:10: version: the brief says version 1.0, not 1.1 "
     "(set version: \"1.1\" in the brief, then run briefgen release demo --version 1.1; "
     "briefgen never edits content files)"),
    ("BG532", "the version was released before",
     "releases/demo.yaml:1:3: version 1.0 of demo was released on 2027-03-01; a release is "
     "never made again (set version: to a new number, e.g. \"1.1\", and release that)"),
)
