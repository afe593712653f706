"""briefgen: one policy brief, tailored editions for every audience, as HTML and PDF."""

__version__ = "0.1.0"


def fewer_collections() -> None:
    """WeasyPrint (and, less so, planning) builds and drops millions of small objects:
    collecting garbage less often (as mypy does) and leaving what is already loaded out of
    every collection makes a build ~5 % faster (benchmarks/README.md). Only for processes
    briefgen owns (the command, its workers), not for a program that imports it."""
    import gc

    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
