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
    ("BG549", "a snapshot is not the page of the edition it is recorded for (its language "
     "links, html lang or JSON-LD version name another)",
     "releases/demo/1.0/public/en.html: is not the page of edition public/en of demo 1.0: "
     "it links to demo-officials-en.html as one of its language editions"),
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
    ("BG533", "the release record is not in a form a release can be appended to (flow "
     "style, indented items, a `...` or `---` after the releases)",
     "releases/demo.yaml:1:1: release 1.0 cannot be appended after this line: the record "
     "does not parse; nothing was written"),
    ("BG534", "the releases folder leads out of the project or into content/, templates/ "
     "or the output folder",
     "releases: the releases folder leads into the content folder: a release writes only "
     "into releases/; nothing was written"),
    ("BG535", "a file to be released is not one the release's build rendered (kept from an "
     "earlier build, or changed after it was written)",
     "briefgen: demo/public/en/demo-public-en.html changed after the build wrote it; "
     "nothing was released (release again)"),
    # issue and trace (commands/recipients.py, ledger.py, issue.py, trace.py; publish/stampfont.py)
    ("BG571", "the recipients file cannot be read: missing, not a regular file (a FIFO, a "
     "device), too large or not UTF-8",
     "recipients.csv:3:1: not valid UTF-8 (byte 0xe9) (save the file as UTF-8)"),
    ("BG572", "the recipients file has no header `name,organisation[,email]` or no rows",
     "recipients.csv:1:1: the header is 'name,org'; it must be 'name,organisation' or "
     "'name,organisation,email'"),
    ("BG573", "a row of the recipients file is malformed: field count, empty or over-long "
     "field, a control, format or bidi character, '№', a bad email address",
     "recipients.csv:4:1: name holds the character U+202E at position 5 (only visible "
     "characters and spaces)"),
    ("BG574", "a recipient is listed twice, or two recipients look the same (as the leak "
     "guard folds text)",
     "recipients.csv:5:1: Hong Gil-dong (MOFA) is listed twice (first on line 2)"),
    ("BG575", "the edition to copy is not a built PDF, changed since it was built, or is "
     "stale",
     "demo/officials/en/demo-officials-en.pdf: stale: the content or templates changed since "
     "this edition was built; nothing was issued (run briefgen build first)"),
    ("BG576", "a recipient's stamp would show a forbidden phrase of the audience",
     "recipients.csv:3:1: forbidden phrase 'Project Ivy' for audience public would appear "
     "in this recipient's stamp (an audience's forbidden phrases are refused in its copies "
     "too)"),
    ("BG577", "the ledger of copies cannot be read, or an entry of it is malformed (serial, "
     "check character, fields) or repeats a serial or a recipient",
     "releases/demo/copies.json: copies[1]: serial K7M2-Q9XD-K is that of copies[0] too "
     "(nothing was issued; restore the ledger from its backup)"),
    ("BG578", "the font copies are stamped with is not installed",
     "briefgen: the font 'Noto Sans CJK KR' was not found: copies are stamped with it; "
     "install the Debian package fonts-noto-cjk (scripts/bootstrap.sh does)"),
    ("BG579", "a recipient's name or organisation has a character the stamp's font lacks",
     "recipients.csv:2:1: no glyph for U+0627 'ا' in the stamp's font (write the name in "
     "Latin, Hangul, Han or Kana letters)"),
    ("BG580", "the edition cannot be stamped, or a stamped copy fails the PDF/UA check",
     "demo/officials/en/demo-officials-en.pdf: cannot be stamped: page 1 already has a font "
     "named /BGStamp: it is a stamped copy, not an edition"),
    ("BG581", "trace finds no copy serial in the file or text",
     "leak.txt: no copy serial found: neither the footer '№ …' of a numbered copy, nor its "
     "hidden mark, nor its metadata (not a numbered copy, or its marks were removed)"),
    ("BG582", "trace finds a serial in no ledger, or the marks of several copies",
     "leak.txt: serial K7M2-Q9XD-K (footer) is in no ledger of copies (give the ledger with "
     "--ledger)"),
    ("BG583", "the ledger's place is refused: a symbolic link, out of the project's releases/ "
     "folder, or inside the build's output folder",
     "releases/demo/copies.json: releases/demo/ is a symbolic link; the ledger is written only "
     "into the project's own releases/ folder (a ledger names every recipient: keep it in "
     "releases/<brief>/ or, with --ledger, in a private place outside the build)"),
    ("BG584", "the PDF to copy is not the one the content makes (rendered afresh, its bytes "
     "differ)",
     "forged/demo/public/en/demo-public-en.pdf: is not the PDF the content makes: rendered "
     "afresh, demo/public/en/demo-public-en.pdf has the sha256 3f9a0c1d2e4b…, this file "
     "a81c97d05e22…; nothing was issued (give the PDF that briefgen build wrote from this "
     "content)"),
    ("BG585", "trace refuses a file beyond its limits (pages, content streams, text) or not "
     "readable as a PDF",
     "leak.pdf: has 5000 pages; not traced (no numbered copy of an edition is this large: "
     "trace reads at most 1000 pages, 10000 content streams and 8388608 bytes of text)"),
    ("BG586", "warning: the ledger is in a git work tree and no .gitignore rule keeps it out "
     "of commits",
     "releases/demo/copies.json: warning: is in a git work tree and no .gitignore rule "
     "ignores it: a commit of its folder would publish every recipient's name (add the line "
     "/releases/*/copies.json to the project's .gitignore (briefgen new brief does))"),
    ("BG587", "check --changed cannot tell what the commit changes: the project is not in a "
     "git work tree, or git failed",
     "briefgen: check --changed: cannot read what the commit changes in /src/briefs (git "
     "failed: fatal: not a git repository (or any of the parent directories): .git)"),
    ("BG588", "check --changed: the files under content/ or templates/ are not what is staged",
     "briefgen: check --changed: files under content/ or templates/ differ from what is "
     "staged (edited or new files the commit would not hold); the check reads the files, "
     "the commit takes the index (stage them, or set them aside with git stash --keep-index "
     "--include-untracked)"),
)
