"""Stage 4, build: plan the artifacts, skip what is unchanged, render PDFs in workers, write
every file atomically and keep the manifest."""
