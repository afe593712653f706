"""Stage 4, build: plan the artifacts, skip what is unchanged, render PDFs in workers, write
every file atomically and keep the manifest.

    plan.py      what to produce: output formats, the Selection, artifacts, the two jobs
    keys.py      every key recipe, and Previous: may an artifact of the last build be kept?
    manifest.py  ManifestEntry and the manifest document (docs/manifest.md): read, write, merge
    files.py     the one atomic writer, the output folder's checks, lock and clean-up
    workers.py   rendering PDFs in this process or in a pool of spawned workers
    indexes.py   the index pages of the output folder
    run.py       the build itself, step by step
"""
