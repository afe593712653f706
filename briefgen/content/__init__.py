"""Stage 1, content: read the project's YAML files (with a signed parse cache), validate them
against the models, and check what spans files (ids, audiences, terms, translations)."""
