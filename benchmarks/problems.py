"""How long briefgen takes to report N problems (issue #13: 30,000 in under a second).

    .venv/bin/python benchmarks/problems.py [--n 30000] [--kinds links,spans,images]

For each kind of problem, a copy of tests/data/valid gets N of them in one brief: unsafe
links (`[x7](javascript:alert(7))`, warnings: run with --strict), spans for unknown audiences
(`[x7]{audience="nobody7"}`) or missing images (`![a](missing7.png)`), either one per
paragraph or all in one paragraph. `briefgen check` runs in this process, as the tests run
it; the time of briefgen's own reporting is measured around the functions that locate,
collect, sort and print problems (markdown._where, markdown._report, Problems.add,
BriefError, output.fail), outermost calls only. The same is measured for N/3: linear
reporting takes about 3x as long for N as for N/3. The whole command's CPU time is given
too: most of it is Markdown and YAML parsing, and (images) resolving N paths.
"""

from __future__ import annotations

import argparse
import functools
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from briefgen import errors, output
from briefgen.cli import main
from briefgen.edition import markdown

VALID = Path(__file__).resolve().parent.parent / "tests" / "data" / "valid"
KINDS = {"links": "[x{i}](javascript:alert({i}))",
         "spans": '[x{i}]{{audience="nobody{i}"}}',
         "images": "![a](missing{i}.png)"}
spent = [0.0, 0]  # CPU seconds in the reporting functions, depth of the current call


def timed(f: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        spent[1] += 1
        start = time.process_time()
        try:
            return f(*args, **kwargs)
        finally:
            spent[1] -= 1
            if not spent[1]:
                spent[0] += time.process_time() - start
    return wrapper


markdown._where = timed(markdown._where)  # type: ignore[method-assign]
markdown._report = timed(markdown._report)  # type: ignore[method-assign]
errors.Problems.add = timed(errors.Problems.add)  # type: ignore[method-assign]
errors.BriefError.__init__ = timed(errors.BriefError.__init__)  # type: ignore[method-assign]
output.fail = timed(output.fail)
import briefgen.cli  # noqa: E402 - after output.fail is wrapped: the CLI calls its own name

briefgen.cli.fail = output.fail


def project(kind: str, n: int, one_paragraph: bool, folder: Path) -> Path:
    dest = folder / f"{kind}-{n}-{'paragraph' if one_paragraph else 'paragraphs'}"
    shutil.copytree(VALID, dest)
    brief = dest / "content/briefs/demo/brief.yaml"
    items = [KINDS[kind].format(i=i) for i in range(n)]
    body = ("          " + " ".join(items) + "\n" if one_paragraph
            else "".join(f"          {item}\n\n" for item in items))
    brief.write_text(brief.read_text().replace(
        "          Do this quietly.\n", "          Do this quietly.\n\n" + body, 1))
    return dest


def measure(path: Path, problems: int) -> tuple[float, float, str]:
    """(reporting seconds, CPU seconds of the whole check, the last line printed)."""
    spent[0] = 0.0
    cpu = time.process_time()
    result = CliRunner().invoke(main, ["check", "--strict", "--project", str(path)],
                                catch_exceptions=False)
    cpu = time.process_time() - cpu
    last = result.stderr.splitlines()[-1]
    assert last == f"briefgen: {problems} errors in 1 file", last
    return spent[0], cpu, result.stderr.splitlines()[-2]


def main_() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=30_000)
    parser.add_argument("--kinds", default=",".join(KINDS))
    args = parser.parse_args()
    print(f"{'problems':<34} {'N/3: reporting':>15} {'N: reporting':>13} {'ratio':>6} "
          f"{'N: whole check (CPU)':>21}")
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.kinds.split(","):
            for one_paragraph in (False, True):
                small = measure(project(kind, args.n // 3, one_paragraph, Path(tmp)),
                                args.n // 3)
                big = measure(project(kind, args.n, one_paragraph, Path(tmp)), args.n)
                label = f"{args.n:,} {kind}, " + ("in one paragraph" if one_paragraph
                                                 else "one per paragraph")
                print(f"{label:<34} {small[0]:>13.3f} s {big[0]:>11.3f} s "
                      f"{big[0] / small[0]:>5.1f}x {big[1]:>19.1f} s   ({big[2]})", flush=True)


if __name__ == "__main__":
    main_()
