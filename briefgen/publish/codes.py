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
)
