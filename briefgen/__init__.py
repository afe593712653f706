"""briefgen: one policy brief, tailored editions for every audience, as HTML and PDF."""

__version__ = "0.1.0"
