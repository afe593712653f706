"""The problem codes this stage reports (see briefgen/codes.py)."""

from __future__ import annotations

from briefgen.codes import Code, _table

CODES: dict[str, Code] = _table(
    ("BG401", "the output folder would overwrite the project",
     "briefgen: refusing to build into /srv/project/content: it is the content folder or "
     "contains it; choose a separate folder such as build/"),
    ("BG402", "an output file leads out of the output folder through a symbolic link",
     "briefgen: refusing to write build/demo/public/en/demo-public-en.html: it leads outside "
     "the output folder build through a symbolic link; nothing was written (remove the link)"),
    ("BG403", "another build is writing to the output folder",
     "briefgen: another build is writing to /srv/project/build; not waiting (--no-wait)"),
    ("BG404", "a manifest to merge does not exist",
     "briefgen: build/manifest.shard-2-of-2.json: no such manifest"),
    ("BG405", "two shards wrote different copies of one artifact",
     "build/manifest.shard-2-of-2.json: demo/public/en/demo-public-en.pdf differs from "
     "another shard's copy"),
    ("BG406", "WeasyPrint found no glyph for a character (check's BG290 missed it)",
     "demo/officials/en/demo-officials-en.pdf: no glyph in the PDF fonts for U+10FFFD "
     "\"\\U0010fffd\" (add a font that has it to templates/fonts/ (any .ttf or .otf file "
     "there is used; docs/editing.md#fonts), or write another character)"),
    ("BG407", "a PDF's page tried to load something other than the theme's stylesheets, "
              "fonts and images (a content file, a file outside the project, the network)",
     "demo/public/en/demo-public-en.pdf: the PDF tried to load "
     "content/briefs/demo/translations/ko.yaml; a page loads only the theme's stylesheets, "
     "fonts and images (templates/), never a content file nor anything outside the project"),
    ("BG408", "WeasyPrint warned while rendering a PDF",
     "demo/public/en/demo-public-en.pdf: warning: WeasyPrint: footnote 1 is cited on page 1 "
     "but printed on page 2"),
    ("BG409", "a forbidden phrase appears on an audience's index page",
     "public/index.html: forbidden phrase 'secret annex' for audience public appears in "
     "public/index.html (index page) (reword the title or label it shows)"),
    ("BG410", "a PDF that declares PDF/UA-1 fails briefgen's PDF/UA checker "
              "(publish/pdfua.py)",
     "demo/public/en/demo-public-en.pdf: not PDF/UA-1 (Matterhorn 09-005): Note directly "
     "inside L, at Document>L>Note (docs/pdfua.md says what the checkpoint asks; a template "
     "or stylesheet of the theme made this structure)"),
    ("BG411", "a passage of a PDF/UA-1 PDF seems to be in another language than its /Lang",
     "demo/public/ko/demo-public-ko.pdf: warning: not PDF/UA-1 (Matterhorn 11-001): a "
     "Latin-script passage where /Lang is ko, at Document>Part>Art>Sect>P (mark the "
     "passage's language in the content: [words]{lang=en})"),
    ("BG420", "a built file of a released version differs from the file released",
     "content/briefs/demo/brief.yaml:7:10: version: demo/public/en/demo-public-en.html "
     "differs from release 1.0 of 2027-03-01 (releases/demo.yaml): a released edition is "
     "never changed (set version: to a new number and run briefgen release demo --version "
     "<it>)"),
)
