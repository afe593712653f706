"""Numbered copies (#17): stamping N recipient copies of an edition against one build of it.

    /tmp/venv/bin/python benchmarks/copies.py PROJECT_DIR WORKDIR [N] [AUDIENCE LANG]

Builds one edition's PDF (default us-government en of the first brief) into WORKDIR/build
with `briefgen build --force` in this process, three times, and keeps the fastest (the
floor of one layout, with WeasyPrint already imported after the first). Then times, in the
same process:

  stamp_s  briefgen.publish.stamp.stamp for N copies (N serials, one recipient name each:
           font built, pages stamped, saved), fonts of the stamp loaded once
  issue_s  `briefgen issue` of N recipients: the same stamping plus, for each copy, the leak
           guard over its text (pdftotext, metadata, tags) and the PDF/UA check, the
           edition's freshness check and the ledger, written atomically

Prints one JSON object: the times, and stamp_ratio / issue_ratio, the time per copy as a
fraction of one build of the edition (the issue's target: "well under" 1).
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path


def pages(data: bytes) -> int:
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        return len(pdf.pages)


def main() -> int:
    root = Path(sys.argv[1]).resolve()
    work = Path(sys.argv[2]).resolve()
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    audience, lang = (sys.argv[4], sys.argv[5]) if len(sys.argv) > 5 else \
        ("us-government", "en")
    from click.testing import CliRunner

    from briefgen.cli import main as cli
    from briefgen.publish.stamp import Stamp, check_char, stamp
    from briefgen.publish.stampfont import GlyphSource

    shutil.rmtree(work, ignore_errors=True)
    out = work / "build"
    brief = sorted(p.name for p in (root / "content" / "briefs").iterdir() if p.is_dir())[0]
    builds = []
    for _ in range(3):
        t0 = time.perf_counter()
        result = CliRunner().invoke(cli, ["build", "--project", str(root), "--out", str(out),
                                          "--brief", brief, "--audience", audience, "--lang",
                                          lang, "--format", "pdf", "--force", "-q", "-j", "1"])
        builds.append(time.perf_counter() - t0)
        assert result.exit_code == 0, result.output
    build_s = min(builds)
    pdf = out / brief / audience / lang / f"{brief}-{audience}-{lang}.pdf"
    data = pdf.read_bytes()

    glyphs = GlyphSource(lang)
    t0 = time.perf_counter()
    for i in range(n):
        body = f"{i:08d}"
        stamp(data, Stamp(f"{body[:4]}-{body[4:]}-{check_char(body)}", f"Recipient {i}",
                          "Organisation"), glyphs)
    stamp_s = time.perf_counter() - t0

    csv = work / "recipients.csv"
    csv.write_text("name,organisation\n" + "".join(f"Recipient {i},Organisation\n"
                                                    for i in range(n)), encoding="utf-8")
    t0 = time.perf_counter()
    result = CliRunner().invoke(cli, ["issue", str(pdf), "--recipients", str(csv), "--ledger",
                                      str(work / "copies.json"), "--project", str(root), "-q"])
    issue_s = time.perf_counter() - t0
    assert result.exit_code == 0, result.output
    print(json.dumps({
        "edition": f"{brief}/{audience}/{lang}", "pages": pages(data),
        "copies": n, "build_s": round(build_s, 3), "builds_s": [round(b, 3) for b in builds],
        "stamp_s": round(stamp_s, 3), "issue_s": round(issue_s, 3),
        "stamp_ratio": round(stamp_s / n / build_s, 4),
        "issue_ratio": round(issue_s / n / build_s, 4)}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
