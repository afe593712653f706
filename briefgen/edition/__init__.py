"""Stage 2, edition: one brief as one audience reads it in one language (selection, order,
numbering, terms, Markdown, labels)."""

from typing import Literal

#: 'screen' renders the published HTML page; 'print' the HTML that becomes the PDF.
Mode = Literal["screen", "print"]
