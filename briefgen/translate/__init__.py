"""Working with translators: the report of units to translate, files for their tools (XLIFF,
PO) out and back in, the glossary (TBX, CSV), and the history of a unit's source."""
