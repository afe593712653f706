"""Stage 2, edition: one brief as one audience reads it in one language (selection, order,
numbering, terms, Markdown, labels).

    resolve.py   the resolver: what is in, in which order, with which numbers; the tables
                 the renderer looks up; an Edition
    markdown.py  Markdown -> HTML with those tables (terms, references, audience blocks,
                 links, images); it never calls back into the resolver
    views.py     what templates see of an edition: plain, frozen data
    i18n.py      a language's labels and dates
    codes.py     the problem codes this stage reports (BG2xx)
"""

from typing import Literal

#: 'screen' renders the published HTML page; 'print' the HTML that becomes the PDF.
Mode = Literal["screen", "print"]
