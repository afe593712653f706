"""The problem codes this stage reports (see briefgen/codes.py)."""

from __future__ import annotations

from briefgen.codes import Code, _table

CODES: dict[str, Code] = _table(
    # templates and HTML (publish/html.py, publish/sandbox.py)
    ("BG301", "a template does not compile (syntax, an unknown filter)",
     "templates/sections/prose.html.j2:3:1: template error: No filter named "
     "'no_such_filter'."),
    ("BG302", "a template failed while rendering (refused by the sandbox, an undefined "
              "value, a limit)",
     "templates/sections/prose.html.j2:2:1: template error: a string or list longer than "
     "16,777,216 is not allowed"),
    ("BG303", "a template, or one it includes, extends or imports, is not found",
     "templates/base.html.j2:87:1: template error: template not found: "
     "sections/chart.html.j2"),
    ("BG304", "a stylesheet is not found in the theme",
     "templates/css/print.css: stylesheet not found"),
    ("BG305", "a page asks for a file attachment (rel=\"attachment\"): only briefgen attaches "
              "files (publish/embedded.py)",
     "templates/base.html.j2:2:43: a page may not ask for a file attachment: <a "
     "rel=\"attachment\" href=\"../content/briefs/demo/brief.yaml\"> (briefgen attaches "
     "files itself, to archival PDFs only, made from the edition; "
     "docs/editing.md#what-a-page-may-load)"),
    # theme assets: catalogs (edition/i18n.py) and fonts (publish/pdf.py), BG330-BG349,
    # rows as the theme-assets engineer's code reports them
    ("BG330", "a message catalog lacks labels briefgen's English one has",
     "templates/messages/fr.yaml:1:1: missing labels: about_the_author, about_the_authors, "
     "back_to_reference, …"),
    ("BG331", "no message catalog for a language",
     "templates/messages/fr.yaml: no message catalog for the language fr (add "
     "templates/messages/fr.yaml)"),
    ("BG332", "a message catalog, or its `language:` mapping, is malformed",
     "templates/messages/ko.yaml:3:11: language.locale: 'xx_NOPE' is not a locale Babel "
     "knows (e.g. en_US, ko_KR)"),
    ("BG340", "the theme has no font configuration",
     "templates/fonts/fonts.conf: the font configuration is missing"),
    ("BG341", "the installed WeasyPrint is not the version briefgen's PDF tagging is "
              "written for (publish/pdftags.py)",
     "briefgen: briefgen's PDF tagging is written for WeasyPrint 70.0, and 71.0 is installed "
     "(pip install 'weasyprint==70.0'; docs/pdfua.md, Adjustments, says why)"),
    # the leak guard (publish/guard.py), BG350-BG369, as the edition engineer's code reports it
    ("BG350", "a phrase forbidden to the audience appears in its edition",
     "content/briefs/demo/brief.yaml:26:1: forbidden phrase 'secret annex' for audience "
     "public appears in demo/public/en/demo-public-en.pdf (PDF source) (reword it, or hide "
     "this text from the audience)"),
    # the rendered PDF (publish/pdf.py, publish/embedded.py), BG370-BG379
    ("BG370", "a rendered PDF embeds a file briefgen did not attach",
     "demo/public/en/demo-public-en.pdf: the PDF embeds a file briefgen did not attach: "
     "brief.yaml (a FileAttachment annotation on page 2) (a template or stylesheet made "
     "WeasyPrint embed it; briefgen attaches files only to archival PDFs, made from the "
     "edition)"),
)
