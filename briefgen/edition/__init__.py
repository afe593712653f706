"""Stage 2, edition: one brief as one audience reads it in one language (selection, order,
numbering, terms, Markdown, labels)."""
