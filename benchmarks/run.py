"""The "Speed and scale" benchmarks: every figure, measured in one run on this machine.

    .venv/bin/python benchmarks/run.py --readme          # full run, on an idle machine
    .venv/bin/python benchmarks/run.py --quick           # smaller catalogues (smoke test)
    .venv/bin/python benchmarks/run.py --quick --only check,shard
    .venv/bin/python benchmarks/run.py --from-results benchmarks/results.json [--readme]

Run it with the Python that has briefgen installed: every build runs the `briefgen` script
beside it (with PYTHONPATH, the briefgen it names; the run logs which).

Prints a table of figures next to their targets and writes benchmarks/results.json
(results-quick.json with --quick, or --results PATH), with the commit measured and whether the
tree was dirty. --readme also writes the table, headed by that commit, into
benchmarks/README.md between its results:begin and results:end lines. Catalogues and builds
go to /tmp/bench-run/ (--work DIR to change; it must be a /tmp/bench-* folder and is wiped
first). Steps (--only): floor (1), jobs (2, 3, 4, 4b, 6c), html (5, 5m, 5i, 5s, 5b),
memory (6a, 6b), check (7a-7d and a profile), shard (10, 10b), preview (9), pandoc (8).
What each figure means: benchmarks/README.md.

Before the timings that compare two runs, it waits (up to 15 s, 45 s before --jobs 2) for
other processes to leave the CPUs alone, and it records how many cores other processes used
during each run ("others_cores" in results.json), so a noisy figure can be recognised.

Wall times are what a user waits for; CPU times (user+sys of the process and every child it
waited for) are reported beside them because they barely move when other work shares the
machine. Ratios that compare single-process work are given on both.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = sys.executable
sys.path.insert(0, str(HERE))

import make_catalogue  # noqa: E402
import preview  # noqa: E402

SIZES: dict[str, dict[str, Any]] = {
    # cat: the catalogue for jobs/no-op/edit; renders/early: RSS; html: HTML small/big;
    # check: the cold check (7b); check_edit: the catalogue edited for 7c/7d; shard: the
    # catalogue of the sharded builds (10); saves: preview saves (9)
    "full": dict(cat=8, renders=200, early=10, html=(100, 1000), check=100, check_edit=500,
                 check_then=100, shard=40, saves=15, repeats=2, cat_repeats=2, recycle=10,
                 watch_edits=5),
    "quick": dict(cat=2, renders=30, early=10, html=(10, 100), check=12, check_edit=30,
                  check_then=3, shard=8, saves=5, repeats=1, cat_repeats=1, recycle=3,
                  watch_edits=2),
}
#: 7e: the commit issue 19 measured `check` on ("today's" check: ~106 ms per brief on the
#: catalogue of then, whose briefs shared their text)
CHECK_THEN = "72bd970"
SHARDS = 4
#: 7c/7d's edit: one word of a paragraph that every edition shows (so both translations of
#: that unit become stale, as after a real edit of the source)
CHECK_OLD = "carries real risks but also offers real opportunities."
CHECK_NEW = "carries real risks but also offers genuine opportunities."
#: the sizes a build's index pages must stay under (5i)
INDEX_LIMIT_KB = 200
EDIT_OLD = "For U.S. planners, the burden-sharing implications deserve care."
EDIT_NEW = "For U.S. planners, the burden-sharing implications deserve particular care."
REPRO = """
from concurrent.futures import ProcessPoolExecutor
if __name__ == "__main__":
    with ProcessPoolExecutor(1, max_tasks_per_child=2) as exe:
        print([f.result() for f in [exe.submit(abs, -i) for i in range(6)]])
"""
SUMMARY = re.compile(r"(\d+) built, (\d+) unchanged, (\d+) pruned in ([\d.]+) s")


# -- running and sampling subprocesses -------------------------------------------------------


@dataclass
class Run:
    cmd: list[str]
    wall: float
    cpu: float  # user+sys of the process and the children it waited for
    out: str
    err: str
    mem: dict[str, Any] = field(default_factory=dict)
    timed_out: bool = False
    others_cores: float = 0.0  # CPU the rest of the machine used meanwhile, in cores
    returncode: int = 0
    #: peak RSS (ru_maxrss) of the process, or of the largest child it waited for (MiB)
    maxrss_mib: float = 0.0

    def raw(self) -> dict[str, Any]:
        """What results.json keeps of a run."""
        return {"wall_s": self.wall, "cpu_s": self.cpu, "others_cores": self.others_cores,
                "maxrss_mib": self.maxrss_mib, **self.mem}

    def summary(self) -> dict[str, Any]:
        m = SUMMARY.search(self.out)
        if not m:
            return {}
        return {"built": int(m[1]), "unchanged": int(m[2]), "pruned": int(m[3]),
                "reported_s": float(m[4])}


def busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (all cores, all processes)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def wait_quiet(log: Any, max_wait: float = 15.0, threshold: float = 0.3) -> float:
    """Wait (up to max_wait s) until other processes use less than `threshold` cores."""
    t0 = time.perf_counter()
    while True:
        b0 = busy_seconds()
        time.sleep(1.0)
        others = busy_seconds() - b0
        waited = time.perf_counter() - t0
        if others < threshold or waited >= max_wait:
            if waited > 1.5:
                log(f"   waited {waited:.0f} s for other work to settle "
                    f"(now {others:.2f} cores busy)")
            return others


def _status(pid: int) -> dict[str, int]:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    out = {}
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM", "PPid"):
            out[key] = int(value.split()[0])
    return out


class TreeSampler(threading.Thread):
    """Every 50 ms: RSS of a process and of its worker processes, and their peaks."""

    def __init__(self, root_pid: int) -> None:
        super().__init__(daemon=True)
        self.root = root_pid
        self.stop = threading.Event()
        self.peak_sum_kib = 0
        self.hwm: dict[int, int] = {}  # pid -> last seen VmHWM (KiB)
        self.cmdline: dict[int, str] = {}
        self.live_workers = 0
        self.children: set[int] = set()
        self.workers_seen = False
        self.no_workers_since: float | None = None

    def run(self) -> None:
        while not self.stop.is_set():
            parents: dict[int, int] = {}
            stats: dict[int, dict[str, int]] = {}
            for entry in os.scandir("/proc"):
                if entry.name.isdigit():
                    st = _status(int(entry.name))
                    if st:
                        stats[int(entry.name)] = st
                        parents[int(entry.name)] = st.get("PPid", 0)
            tree, frontier = {self.root}, [self.root]
            while frontier:
                p = frontier.pop()
                kids = [c for c, pp in parents.items() if pp == p and c not in tree]
                tree.update(kids)
                frontier.extend(kids)
            for pid in tree:
                if parents.get(pid) == self.root:
                    self.children.add(pid)
            total = 0
            for pid in tree:
                st = stats.get(pid, {})
                if "VmHWM" in st:
                    self.hwm[pid] = st["VmHWM"]
                    # Re-read until it settles: a just-forked child still shows the parent's.
                    if "spawn_main" not in self.cmdline.get(pid, "") and pid != self.root:
                        try:
                            self.cmdline[pid] = Path(f"/proc/{pid}/cmdline").read_bytes() \
                                .replace(b"\0", b" ").decode(errors="replace")
                        except OSError:
                            self.cmdline[pid] = ""
            # The sum counts briefgen's Python processes only: a process forked to run
            # pdftotext or gcc shows its parent's whole RSS until it execs.
            for pid in tree:
                if pid == self.root or pid in self.children and any(
                        k in self.cmdline.get(pid, "") for k in ("spawn_main", "resource_track")):
                    total += stats.get(pid, {}).get("VmRSS", 0)
            self.peak_sum_kib = max(self.peak_sum_kib, total)
            self.live_workers = sum(1 for p in tree if p in self.children and p in stats
                                    and "spawn_main" in self.cmdline.get(p, ""))
            if self.live_workers:
                self.workers_seen, self.no_workers_since = True, None
            elif self.workers_seen and self.no_workers_since is None:
                self.no_workers_since = time.perf_counter()
            self.stop.wait(0.05)

    def result(self) -> dict[str, Any]:
        # Direct children only: a worker's own short-lived children (pdftotext, or the gcc
        # that ctypes.util.find_library runs) show the worker's command line until they exec.
        workers = {p: h for p, h in self.hwm.items()
                   if p in self.children and "spawn_main" in self.cmdline.get(p, "")}
        return {"parent_peak_mib": round(self.hwm.get(self.root, 0) / 1024, 1),
                "workers": len(workers),
                "worker_peak_mib": round(max(workers.values(), default=0) / 1024, 1),
                "parent_plus_workers_peak_mib": round(self.peak_sum_kib / 1024, 1)}


def run(cmd: list[str], *, sample: bool = False, env: dict[str, str] | None = None,
        check: bool = True, timeout: float | None = None, hung: Any = None,
        cwd: Path = ROOT) -> Run:
    """Run cmd to completion, or kill its whole process group after `timeout` seconds or
    as soon as hung(sampler) says it is stuck."""
    with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe:
        busy0 = busy_seconds()
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=fo, stderr=fe, cwd=cwd, env=env,
                                start_new_session=True)
        sampler = TreeSampler(proc.pid) if sample else None
        if sampler:
            sampler.start()
        timed_out = False
        while True:
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            stuck = hung is not None and sampler is not None and hung(sampler)
            if (stuck or timeout is not None and time.perf_counter() - t0 > timeout) \
                    and not timed_out:
                timed_out = True
                os.killpg(proc.pid, signal.SIGTERM)
                deadline = time.perf_counter() + 5
                while time.perf_counter() < deadline:
                    pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
                    if pid:
                        break
                    time.sleep(0.05)
                else:
                    os.killpg(proc.pid, signal.SIGKILL)
                    continue
                break
            time.sleep(0.02)
        wall = time.perf_counter() - t0
        busy = busy_seconds() - busy0
        if timed_out:
            try:  # the workers and the resource tracker of a hung build
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        proc.returncode = os.waitstatus_to_exitcode(status)
        if sampler:
            sampler.stop.set()
            sampler.join()
        fo.seek(0)
        fe.seek(0)
        out, err = fo.read().decode(errors="replace"), fe.read().decode(errors="replace")
    if check and (proc.returncode or timed_out):
        raise SystemExit(f"benchmark: {' '.join(cmd)} "
                         f"{'timed out' if timed_out else f'exited {proc.returncode}'}"
                         f"\n{err[-3000:]}")
    cpu = ru.ru_utime + ru.ru_stime
    r = Run(cmd, wall, cpu, out, err, sampler.result() if sampler else {})
    r.timed_out = timed_out
    r.returncode = proc.returncode
    r.maxrss_mib = round(ru.ru_maxrss / 1024, 1)
    r.others_cores = max(0.0, busy - cpu) / wall if wall else 0.0
    return r


def briefgen(*args: str, sample: bool = False, pre: str | None = None,
             timeout: float | None = None, hung: Any = None,
             env: dict[str, str] | None = None, cwd: Path = ROOT, check: bool = True) -> Run:
    """The `briefgen` script with ARGS; with `pre`, `python -c` running that code first and
    then briefgen's CLI in the same process (how 6c lowers RECYCLE_AFTER)."""
    if pre is None:
        script = Path(PY).parent / "briefgen"  # the console script users run
        cmd = [str(script)] if script.is_file() else [PY, "-m", "briefgen"]
        return run([*cmd, *args], sample=sample, timeout=timeout, env=env, cwd=cwd,
                   check=check)
    code = f"{pre}\nimport sys\nfrom briefgen.cli import main\nsys.argv[0] = 'briefgen'\nmain()"
    return run([PY, "-c", code, *args], sample=sample, timeout=timeout, hung=hung,
               check=timeout is None)


def build(project: Path, out: Path, *extra: str, fresh: bool = True, sample: bool = False,
          pre: str | None = None, timeout: float | None = None, hung: Any = None,
          env: dict[str, str] | None = None) -> Run:
    if fresh and out.exists():
        shutil.rmtree(out)
    return briefgen("build", "--project", str(project), "--out", str(out), *extra,
                    sample=sample, pre=pre, timeout=timeout, hung=hung, env=env)


def watch_edits(project: Path, out: Path, brief: Path, text: str, n: int) -> dict[str, Any]:
    """Start `build --watch`, save the edit n times (reverting in between), and time each
    save until the watcher says it is watching again (the rebuilt files are in place); note
    which artifacts each save rebuilt (the rows the watcher prints), to check them."""
    script = Path(PY).parent / "briefgen"
    proc = subprocess.Popen([str(script), "build", "--watch", "--jobs", "1", "--project",
                             str(project), "--out", str(out)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None

    def watching() -> list[str]:
        """The artifacts rebuilt since the last "watching for changes"."""
        built: list[str] = []
        for line in proc.stdout:  # type: ignore[union-attr]
            if "watching for changes" in line:
                return sorted(built)
            words = line.split()
            if len(words) >= 2 and words[1] == "built" and "/" in words[0]:
                built.append(words[0])
        raise SystemExit("benchmark: build --watch ended early")

    edits: list[float] = []
    reverts: list[float] = []
    rebuilt: list[list[str]] = []
    try:
        watching()  # the first build: nothing to do
        for _ in range(n):
            for content, times in ((text.replace(EDIT_OLD, EDIT_NEW), edits), (text, reverts)):
                time.sleep(0.3)  # let the machine settle; not timed
                t0 = time.perf_counter()
                brief.write_text(content, encoding="utf-8")
                rows = watching()
                times.append(time.perf_counter() - t0)
                if times is edits:
                    rebuilt.append(rows)
    finally:
        brief.write_text(text, encoding="utf-8")
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    return {"edits_s": edits, "reverts_s": reverts, "median_s": statistics.median(edits),
            "rebuilt": rebuilt}


def no_workers_for(seconds: float) -> Any:
    """A hang test: the build had workers, and for `seconds` it has had none."""
    def hung(sampler: TreeSampler) -> bool:
        since = sampler.no_workers_since
        return since is not None and time.perf_counter() - since > seconds
    return hung


def real_recycle_after() -> int:
    from briefgen.build.workers import RECYCLE_AFTER
    return RECYCLE_AFTER


def then_imports(cwd: Path, env: dict[str, str]) -> Path:
    """The folder of the briefgen package `python -m briefgen` imports from cwd with env."""
    out = subprocess.run([PY, "-c", "import briefgen, pathlib; "
                          "print(pathlib.Path(briefgen.__file__).parent)"],
                         cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout
    return Path(out.strip())


def best(runs: list[Run]) -> Run:
    return min(runs, key=lambda r: r.wall)


def manifest(out: Path) -> dict[str, dict[str, Any]]:
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {a["path"]: a for a in data["artifacts"]}


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=benchmark",
                    "-c", "user.email=benchmark@example.invalid", "-c", "commit.gpgsign=false",
                    *args], check=True, capture_output=True)


def profile_top(path: Path, n: int = 25) -> dict[str, Any]:
    """The n functions with the most cumulative time in a cProfile file, after the chain
    that starts the program (runpy, click, the CLI's check: each holds > 97 % of the total),
    and the n with the most time of their own."""
    import pstats

    stats = pstats.Stats(str(path))
    table = stats.stats  # type: ignore[attr-defined]
    total = max((v[3] for v in table.values()), default=0.0)
    ranked = sorted(table.items(), key=lambda kv: kv[1][3], reverse=True)
    chain = [kv for kv in ranked if kv[1][3] > 0.97 * total]
    rest = [kv for kv in ranked if kv[1][3] <= 0.97 * total][:n]
    own = sorted(table.items(), key=lambda kv: kv[1][2], reverse=True)[:n]

    def where(key: tuple[str, int, str]) -> str:
        file, line, name = key
        if file == "~":
            return name
        for base in (str(ROOT) + "/", "site-packages/", "/lib/python3."):
            if base in file:
                file = file.split(base, 1)[1]
                break
        return f"{file}:{line}({name})"
    def rows(found: list[Any]) -> list[dict[str, Any]]:
        return [{"function": where(k), "ncalls": v[1], "primitive_calls": v[0],
                 "tottime_s": round(v[2], 4), "cumtime_s": round(v[3], 4)} for k, v in found]
    return {"total_s": round(total, 3), "entry_chain": [where(k) for k, _ in chain],
            "top25_cumulative": rows(rest), "top25_tottime": rows(own)}


def helper(script: str, *args: str) -> dict[str, Any]:
    r = run([PY, str(HERE / script), *args])
    data: dict[str, Any] = json.loads(r.out)
    return data | {"_wall_s": r.wall, "_cpu_s": r.cpu}


# -- the machine -------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    from importlib.metadata import version

    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal:")), 0)
    try:
        pandoc = subprocess.run(["pandoc", "--version"], capture_output=True, text=True,
                                check=True).stdout.splitlines()[0]
    except (OSError, subprocess.CalledProcessError):
        pandoc = None
    import hashlib

    import briefgen

    src = Path(briefgen.__file__).parent
    digest = hashlib.sha256()
    for f in sorted(src.rglob("*.py")):  # the whole package (before #19: briefgen/*.py only)
        digest.update(f.relative_to(src).as_posix().encode() + b"\0" + f.read_bytes())
    return {"nproc": os.cpu_count(), "affinity": len(os.sched_getaffinity(0)), "cpu": cpu,
            "ram_gib": round(mem / 1024 / 1024, 1), "kernel": platform.release(),
            "python": platform.python_version(), "weasyprint": version("weasyprint"),
            "pydyf": version("pydyf"),
            "briefgen": version("briefgen"), "briefgen_sources_sha256": digest.hexdigest()[:16],
            "briefgen_path": str(src), "pandoc": pandoc}


def git_state() -> dict[str, Any]:
    """The commit measured, and whether the work tree differed from it (results files
    aside: the run writes them)."""
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True,
                                  text=True, check=True).stdout
        except (OSError, subprocess.CalledProcessError):
            return ""
    changed = [line[3:] for line in git("status", "--porcelain").splitlines()
               if not re.fullmatch(r"benchmarks/results(-quick)?\.json", line[3:])]
    return {"commit": git("rev-parse", "HEAD").strip() or None, "dirty": bool(changed),
            "changed_files": changed[:50]}


# -- the benchmark ------------------------------------------------------------------------------


class Bench:
    def __init__(self, mode: str, work: Path) -> None:
        self.size = SIZES[mode]
        self.mode = mode
        self.work = work
        self.figures: list[dict[str, Any]] = []
        self.raw: dict[str, Any] = {}
        self.started = time.perf_counter()

    def log(self, message: str) -> None:
        print(f"[{time.perf_counter() - self.started:6.0f} s] {message}", file=sys.stderr,
              flush=True)

    def figure(self, fid: str, name: str, value: float | None, target: float | None,
               unit: str = "", lower_is_better: bool = True, note: str = "",
               shown: str | None = None) -> None:
        """A figure; `shown`, when given, is what the table says instead of the value."""
        ok = None
        if value is not None and target is not None:
            ok = value <= target if lower_is_better else value >= target
        self.figures.append({"id": fid, "name": name, "value": value, "target": target,
                             "unit": unit, "pass": ok, "note": note, "shown": shown,
                             "better": "lower" if lower_is_better else "higher"})

    def catalogue(self, n: int, name: str = "catalogue") -> Path:
        """make_catalogue's N briefs, made once per name (a step that edits its catalogue
        names its own)."""
        path = self.work / f"{name}-{n}"
        if not path.exists():
            t0 = time.perf_counter()
            make_catalogue.make(n, path)
            self.log(f"made a catalogue of {n} briefs in {time.perf_counter() - t0:.1f} s")
        return path

    def fresh_cache(self, label: str) -> dict[str, str]:
        """The environment of a "cold" run: BRIEFGEN_CACHE_DIR set to a new, empty folder
        (parsed files and `check`'s cache both live there)."""
        folder = self.work / "caches" / label
        n = 1
        while folder.exists():
            n += 1
            folder = self.work / "caches" / f"{label}-{n}"
        folder.mkdir(parents=True)
        return dict(os.environ, BRIEFGEN_CACHE_DIR=str(folder))

    # 1 -------------------------------------------------------------------------------------
    def floor(self) -> None:
        self.log("1. shipped project: import cost, WeasyPrint floor, full build --jobs 1")
        env = dict(os.environ, FONTCONFIG_FILE=str(ROOT / "templates/fonts/fonts.conf"))
        wait_quiet(self.log)
        # the import as briefgen does it: without ctypes' library search (publish/pdf.py)
        shortcut = ("import ctypes.util; ctypes.util.find_library = lambda name: None; "
                    "import weasyprint")
        imports = [run([PY, "-c", shortcut], env=env) for _ in range(3)]
        imp = best(imports)
        floors, builds, cold = [], [], []
        no_cache = dict(os.environ, BRIEFGEN_CACHE_DIR="")
        for i in range(self.size["repeats"]):  # interleaved, so both see the same machine
            wait_quiet(self.log)
            floors.append(helper("floor.py", str(ROOT), *(["--breakdown"] if i == 0 else [])))
            wait_quiet(self.log)
            builds.append(build(ROOT, self.work / "shipped-j1", "--force", "--jobs", "1"))
            wait_quiet(self.log)
            cold.append(build(ROOT, self.work / "shipped-j1-nocache", "--force", "--jobs", "1",
                              env=no_cache))
        fl = dict(floors[0])
        fl["render_s"] = min(f["render_s"] for f in floors)
        fl["render_cpu_s"] = min(f["render_cpu_s"] for f in floors)
        b = best(builds)
        floor_total = imp.wall + fl["render_s"]
        self.raw["floor"] = {"import_process_wall_s": imp.wall, "import_process_cpu_s": imp.cpu,
                             "floor": fl, "floor_runs": floors,
                             "build_wall_s": [r.wall for r in builds],
                             "build_cpu_s": [r.cpu for r in builds],
                             "build_others_cores": [r.others_cores for r in builds],
                             "build_summary": b.summary()}
        self.raw["shipped_build_j1"] = b
        self.figure("1a", "full build --jobs 1 / floor, shipped project (5 PDFs + 5 HTML), "
                    "Python start-up + imports included in both", b.wall / floor_total, 1.15,
                    "x", note=f"build {b.wall:.2f} s wall / floor {floor_total:.2f} s "
                    f"(start-up+import weasyprint {imp.wall:.2f} s + render "
                    f"{fl['render_s']:.2f} s)")
        self.figure("1b", "same, start-up + import excluded from both",
                    (b.wall - imp.wall) / fl["render_s"], 1.15, "x",
                    note=f"({b.wall:.2f} - {imp.wall:.2f}) / {fl['render_s']:.2f} s")
        cpu_floor = imp.cpu + fl.get("render_cpu_s", fl["render_s"])
        self.figure("1c", "same as 1a on CPU time (robust to other load on the machine)",
                    b.cpu / cpu_floor, 1.15, "x",
                    note=f"build {b.cpu:.2f} s CPU / floor {cpu_floor:.2f} s CPU")
        c = best(cold)
        self.raw["floor"]["build_nocache_wall_s"] = [r.wall for r in cold]
        self.figure("1d", "same as 1a with the parse cache off (BRIEFGEN_CACHE_DIR=, as on a "
                    "fresh machine)", c.wall / floor_total, 1.15, "x",
                    note=f"build {c.wall:.2f} s wall / floor {floor_total:.2f} s")

    # 2, 3, 4 ---------------------------------------------------------------------------------
    def catalogue_builds(self) -> None:
        n = self.size["cat"]
        cat = self.catalogue(n)
        j1, j2 = self.work / f"cat{n}-j1", self.work / f"cat{n}-j2"
        runs1, runs2 = [], []
        for _ in range(self.size["cat_repeats"]):
            self.log(f"2. {n} briefs ({n * 5} PDFs): full build --jobs 1")
            wait_quiet(self.log)
            runs1.append(build(cat, j1, "--force", "--jobs", "1", sample=True))
            self.log(f"   {runs1[-1].wall:.1f} s (others used {runs1[-1].others_cores:.2f} "
                     "cores meanwhile); now --jobs 2")
            wait_quiet(self.log, max_wait=45)  # --jobs 2 needs both cores to itself
            runs2.append(build(cat, j2, "--force", "--jobs", "2", sample=True))
            self.log(f"   {runs2[-1].wall:.1f} s (others used {runs2[-1].others_cores:.2f} "
                     "cores meanwhile)")
        full1, full2 = best(runs1), best(runs2)
        artifacts = len(manifest(j1))

        def info(r: Run) -> dict[str, Any]:
            return {"wall_s": r.wall, "cpu_s": r.cpu, "others_cores": r.others_cores, **r.mem}
        self.raw["jobs"] = {"briefs": n, "artifacts": artifacts,
                            "j1": info(full1), "j2": info(full2),
                            "j1_runs": [info(r) for r in runs1],
                            "j2_runs": [info(r) for r in runs2]}
        self.figure("2", f"--jobs 2 / --jobs 1, catalogue of {n} briefs ({n * 5} PDFs, "
                    f"{artifacts} artifacts)", full2.wall / full1.wall, 0.65, "x",
                    note=f"{full2.wall:.1f} s / {full1.wall:.1f} s wall (best of "
                    f"{len(runs1)}); CPU {full2.cpu:.1f} s vs {full1.cpu:.1f} s; other "
                    f"processes used {full2.others_cores:.2f} of {os.cpu_count()} cores during "
                    "the --jobs 2 run")

        self.log("3. no-op rebuild (same command without --force)")
        noop = build(cat, j1, "--jobs", "1", fresh=False)
        s = noop.summary()
        self.raw["noop"] = {"wall_s": noop.wall, "cpu_s": noop.cpu,
                            "others_cores": noop.others_cores, **s}
        self.figure("3", "no-op rebuild / full build (--jobs 1)", noop.wall / full1.wall, 0.05,
                    "x", note=f"{noop.wall:.2f} s / {full1.wall:.1f} s; "
                    f"{s.get('built')} built, {s.get('unchanged')} unchanged")

        self.log("4. one-paragraph edit (a us-government-only block of one brief)")
        brief = cat / "content" / "briefs" / "alliance-brief-001" / "brief.yaml"
        text = brief.read_text(encoding="utf-8")
        if text.count(EDIT_OLD) != 1:
            raise SystemExit("benchmark: the paragraph to edit is not in the shipped brief")
        before = manifest(j1)
        mtimes = {p: (j1 / p).stat().st_mtime_ns for p in before}
        brief.write_text(text.replace(EDIT_OLD, EDIT_NEW), encoding="utf-8")
        try:
            edit = build(cat, j1, "--jobs", "1", fresh=False)
        finally:
            brief.write_text(text, encoding="utf-8")
        after = manifest(j1)
        changed = sorted(p for p in after if after[p]["sha256"] != before.get(p, {}).get("sha256"))
        rewritten = sorted(p for p in after if (j1 / p).stat().st_mtime_ns != mtimes.get(p))
        s = edit.summary()
        budget = full1.wall / artifacts + 0.5
        self.raw["edit"] = {"wall_s": edit.wall, "cpu_s": edit.cpu,
                            "others_cores": edit.others_cores, **s, "changed": changed,
                            "rewritten": rewritten,
                            "warnings": [ln for ln in edit.err.splitlines() if "stale" in ln]}
        self.figure("4", f"one-paragraph edit rebuild (s); target = full/{artifacts} + 0.5 s",
                    edit.wall, round(budget, 2), "s",
                    note=f"{len(rewritten)} of {artifacts} artifacts rebuilt "
                    f"({', '.join(p.rsplit('/', 1)[-1] for p in changed)}); "
                    f"full build {full1.wall:.1f} s")

        self.log("4b. the same edit seen by a running `briefgen build --watch --jobs 1`")
        watch = watch_edits(cat, j1, brief, text, self.size["watch_edits"])
        self.raw["edit_watch"] = watch
        # the watcher must rebuild exactly what the fresh-process edit rebuilt, at each save
        same = all(rows == rewritten for rows in watch["rebuilt"])
        self.figure("4b", "one-paragraph edit, rebuilt by a running `build --watch` (s, from "
                    "the save to the rebuilt files)",
                    watch["median_s"] if same else float("inf"), round(budget, 2), "s",
                    note=f"median of {len(watch['edits_s'])} saves "
                    f"({', '.join(f'{t:.2f}' for t in watch['edits_s'])} s), each then "
                    f"reverted; {'the same' if same else 'NOT the same'} {len(rewritten)} "
                    "artifacts rebuilt at each save (checked against the rows the watcher "
                    "printed); watcher latency (20 ms of quiet after a save) included")

        recycle = self.size["recycle"]
        limit = 1.5 * full2.wall + 15  # recycling costs a few worker start-ups, not 50 %
        self.log(f"6b. build path, --jobs 2, workers recycled after {recycle} PDFs "
                 f"(RECYCLE_AFTER lowered so that recycling happens; killed after {limit:.0f} s)")
        rec = build(cat, self.work / f"cat{n}-recycle", "--force", "--jobs", "2", sample=True,
                    pre=f"import briefgen.build.workers as b; b.RECYCLE_AFTER = {recycle}",
                    timeout=limit, hung=no_workers_for(15.0))
        done = len(re.findall(r"^\[\d+(?:/\d+)?\] .*\.pdf$", rec.err, re.M))
        failed = not rec.timed_out and rec.returncode != 0
        state = ("HUNG (no worker left for 15 s): killed" if rec.timed_out else
                 f"FAILED (exit {rec.returncode})" if failed else "finished")
        self.log(f"   {state} after {rec.wall:.0f} s, {done} of {n * 5} PDFs done")
        # The CPython bug this runs into, reduced to four lines (gh-115634).
        repro = run([PY, "-c", REPRO], timeout=20, check=False)
        self.raw["build_rss"] = {
            "real_recycle_after": real_recycle_after(), "no_recycling_j2": full2.mem,
            "j1": full1.mem,
            "recycled": {"recycle_after": recycle, "wall_s": rec.wall, "hung": rec.timed_out,
                         "pdfs_done": done, "exit": None if rec.timed_out else rec.returncode,
                         **rec.mem},
            "cpython_gh115634_repro_hung": repro.timed_out}
        self.figure("6c", f"build --jobs 2 finishes when workers are recycled "
                    f"(RECYCLE_AFTER={recycle}, {n * 5} PDFs)",
                    0.0 if rec.timed_out or failed else 1.0,
                    1.0, "", lower_is_better=False,
                    note=(f"HUNG after {done} of {n * 5} PDFs: no worker left and none "
                          f"started in its place. With ProcessPoolExecutor(max_tasks_per_child) "
                          f"this is CPython gh-115634; its 4-line reproduction "
                          f"{'hangs' if repro.timed_out else 'does not hang'} on Python "
                          f"{platform.python_version()}. Real builds hit it once a worker has "
                          f"rendered RECYCLE_AFTER={real_recycle_after()} PDFs")
                    if rec.timed_out else
                    f"the build failed (exit {rec.returncode}): {rec.err.strip()[-300:]}"
                    if failed else
                    f"finished in {rec.wall:.1f} s; {rec.mem.get('workers')} worker processes "
                    f"in all. (CPython gh-115634 reproduction: "
                    f"{'hangs' if repro.timed_out else 'does not hang'} on Python "
                    f"{platform.python_version()})")

    # 5 -----------------------------------------------------------------------------------------
    def html_scale(self) -> None:
        small, big = self.size["html"]
        res = {}
        for n in (small, big):
            cat = self.catalogue(n)
            self.log(f"5. HTML-only build of {n} briefs ({n * 5} pages)")
            wait_quiet(self.log)
            res[n] = build(cat, self.work / f"html-{n}", "--force", "--jobs", "1", "--format",
                           "html")
            self.log(f"   {res[n].wall:.1f} s, peak RSS {res[n].maxrss_mib:.0f} MiB")
        growth = res[big].wall / res[small].wall
        slope = (res[big].wall - res[small].wall) / (big - small)
        fixed = res[small].wall - small * slope
        out = self.work / f"html-{big}"
        pages = {p.relative_to(out).as_posix(): p.stat().st_size
                 for p in out.rglob("index*.html")}
        largest = max(pages, key=lambda p: pages[p]) if pages else None
        manifest_size = (out / "manifest.json").stat().st_size
        self.raw["html"] = {n: {**r.raw(), **r.summary()} for n, r in res.items()}
        self.raw["html"]["per_brief_s"] = slope
        self.raw["html"]["fixed_s"] = fixed
        self.raw["html"]["index_pages"] = pages
        self.raw["html"]["manifest_bytes"] = manifest_size
        self.figure("5", f"HTML-only build, {big} briefs / {small} briefs "
                    f"(x{big // small} the content; ≤ {big / small * 1.1:.0f}x = linear)",
                    growth, big / small * 1.1, "x",
                    note=f"{res[big].wall:.1f} s / {res[small].wall:.1f} s; "
                    f"{slope * 1000:.0f} ms per brief + {fixed:.1f} s fixed")
        self.figure("5m", f"peak RSS of the HTML-only build, {big} briefs / {small} briefs",
                    res[big].maxrss_mib / res[small].maxrss_mib, 1.5, "x",
                    note=f"{res[big].maxrss_mib:.0f} MiB / {res[small].maxrss_mib:.0f} MiB "
                    "(ru_maxrss of the build process)")
        self.figure("5i", f"largest index page of the {big}-brief build (KB)",
                    pages[largest] / 1000 if largest else None, INDEX_LIMIT_KB, "KB",
                    note=f"{largest}, of {len(pages)} index*.html pages "
                    f"({sum(pages.values()) / 1e6:.1f} MB in all)" if largest else
                    "no index page was written")
        self.figure("5s", f"manifest.json of the {big}-brief build (KB)", manifest_size / 1000,
                    None, "KB", note=f"{len(manifest(out))} artifacts")

        self.log(f"5b. the {big}-brief build's manifest read by a fresh process")
        code = ("import sys, time\nt0 = time.perf_counter()\n"
                "from pathlib import Path\nfrom briefgen.build.manifest import read_manifest\n"
                "t1 = time.perf_counter()\nentries = read_manifest(Path(sys.argv[1]))\n"
                "t2 = time.perf_counter()\nprint(len(entries), t1 - t0, t2 - t1)")
        reads = []
        for _ in range(3):
            wait_quiet(self.log)
            reads.append(run([PY, "-c", code, str(out / "manifest.json")]))
        r = sorted(reads, key=lambda r: r.wall)[1]  # the median of 3
        count, imp, parse = r.out.split()
        self.raw["manifest_read"] = {"runs": [x.raw() for x in reads], "entries": int(count),
                                     "import_s": float(imp), "read_s": float(parse)}
        self.figure("5b", f"the {big}-brief build's manifest read in a fresh process "
                    "(python -c: import briefgen.build.manifest, read_manifest) (s)",
                    r.wall, 1.0, "s",
                    note=f"median of 3 processes; {int(count)} entries "
                    f"({manifest_size / 1000:.0f} KB); inside it, import {float(imp):.2f} s, "
                    f"read_manifest {float(parse):.2f} s")

    # 6 -----------------------------------------------------------------------------------------
    def memory(self) -> None:
        n, early = self.size["renders"], self.size["early"]
        self.log(f"6. peak RSS over {n} PDF renders in one process (PdfRenderer)")
        rss = helper("rss.py", str(ROOT), str(n), "1", str(early), str(n // 2), str(n))
        p = rss["points"]
        ratio = p[str(n)]["hwm_mib"] / p[str(early)]["hwm_mib"]
        self.raw["rss"] = rss
        self.figure("6a", f"peak RSS after {n} renders / after {early}, one process",
                    ratio, 1.2, "x", note=f"{p[str(early)]['hwm_mib']:.0f} MiB -> "
                    f"{p[str(n)]['hwm_mib']:.0f} MiB; current RSS {p[str(n)]['rss_mib']:.0f} MiB")
        br = self.raw.get("build_rss")
        if br:
            rec, norec = br["recycled"], br["no_recycling_j2"]
            per = self.size["cat"] * 5 / 2
            self.figure("6b", f"build path --jobs 2, no recycling (~{per:.0f} PDFs per worker): "
                        f"peak worker RSS / in-process peak after {early} renders",
                        norec["worker_peak_mib"] / p[str(early)]["hwm_mib"], 1.2, "x",
                        note=f"{norec['workers']} workers, worker peak "
                        f"{norec['worker_peak_mib']} MiB, parent {norec['parent_peak_mib']} "
                        f"MiB, parent+workers peak {norec['parent_plus_workers_peak_mib']} "
                        f"MiB. With "
                        f"workers recycled every {rec['recycle_after']} PDFs: "
                        + ("the build hung (6c)" if rec["hung"] else
                           f"{rec['workers']} workers, worker peak {rec['worker_peak_mib']} "
                           f"MiB, parent+workers {rec['parent_plus_workers_peak_mib']} MiB"))

    # 7 -----------------------------------------------------------------------------------------
    def check(self) -> None:
        big, edited_n = self.size["check"], self.size["check_edit"]
        self.log("7a. briefgen check, shipped project, cold (an empty BRIEFGEN_CACHE_DIR)")
        shipped_runs = []
        for _ in range(self.size["repeats"]):
            wait_quiet(self.log)
            shipped_runs.append(briefgen("check", "--project", str(ROOT),
                                         env=self.fresh_cache("7a")))
        shipped = best(shipped_runs)
        self.raw["check"] = {"shipped": shipped.raw(),
                             "shipped_runs": [r.raw() for r in shipped_runs]}
        self.figure("7a", "briefgen check, shipped project, cold cache (s)", shipped.wall,
                    None, "s", note=f"best of {len(shipped_runs)}; the unit of 7c and 7d")

        cat = self.catalogue(big)
        self.log(f"7b. briefgen check, {big} briefs, cold")
        wait_quiet(self.log)
        large = briefgen("check", "--project", str(cat), env=self.fresh_cache("7b"))
        per = large.wall / big
        self.raw["check"][big] = large.raw()
        self.figure("7b", f"briefgen check, {big} briefs, cold cache (ms per brief)",
                    per * 1000, 55, "ms",
                    note=f"{large.wall:.1f} s / {big}; "
                    f"{(large.wall - shipped.wall) / (big - 1) * 1000:.0f} ms per brief "
                    "beyond the shipped project's check")
        self.check_then()
        self.log(f"   {large.wall:.1f} s; now once more under cProfile")
        prof = self.work / "check.prof"
        profiled = run([PY, "-m", "cProfile", "-o", str(prof), "-m", "briefgen", "check",
                        "--project", str(cat)], env=self.fresh_cache("7b-profile"))
        self.raw["check"]["profile"] = {"briefs": big, "wall_s": profiled.wall,
                                        "file": str(prof), **profile_top(prof)}
        self.log("   cumulative s, calls, function (after the CLI's entry chain):")
        for row in self.raw["check"]["profile"]["top25_cumulative"][:15]:
            self.log(f"   {row['cumtime_s']:7.2f} s  {row['ncalls']:>9}  {row['function']}")

        changed = "--changed" in briefgen("check", "--help").out
        cat = self.catalogue(edited_n, name="check-edit")
        brief = cat / "content" / "briefs" / "alliance-brief-001" / "brief.yaml"
        text = brief.read_text(encoding="utf-8")
        if text.count(CHECK_OLD) != 1:
            raise SystemExit("benchmark: the paragraph 7c edits is not in the shipped brief")
        if changed:
            self.log(f"7d. a git repository of the {edited_n}-brief catalogue")
            git(cat, "init", "-q")
            git(cat, "add", "-A")
            git(cat, "commit", "-q", "-m", "catalogue")
        self.log(f"7c. {edited_n} briefs: check once (fills the cache), edit one word of one "
                 "brief, check again")
        warm_env = self.fresh_cache("7c")
        wait_quiet(self.log)
        first = briefgen("check", "--project", str(cat), env=warm_env)
        self.log(f"   the first check took {first.wall:.1f} s")
        before_edit = None
        if changed:  # 7d starts from the same cache, as it was before the edit
            before_edit = dict(os.environ, BRIEFGEN_CACHE_DIR=warm_env["BRIEFGEN_CACHE_DIR"]
                               + "-copy")
            shutil.copytree(warm_env["BRIEFGEN_CACHE_DIR"], before_edit["BRIEFGEN_CACHE_DIR"],
                            symlinks=True)
        brief.write_text(text.replace(CHECK_OLD, CHECK_NEW), encoding="utf-8")
        wait_quiet(self.log)
        after = briefgen("check", "--project", str(cat), env=warm_env)
        stale = [ln for ln in after.err.splitlines() if "stale" in ln]
        self.raw["check"]["edit"] = {"briefs": edited_n, "first": first.raw(),
                                     "after_edit": after.raw(), "stale_warnings": stale,
                                     "edit": [CHECK_OLD, CHECK_NEW]}
        self.figure("7c", f"one word edited in one brief of {edited_n}, then briefgen check "
                    "(cache filled by a first check) / 7a", after.wall / shipped.wall, 3.0,
                    "x", note=f"{after.wall:.2f} s / {shipped.wall:.2f} s; the first, cold "
                    f"check of the {edited_n} briefs took {first.wall:.1f} s "
                    f"({first.wall / edited_n * 1000:.0f} ms per brief); {len(stale)} stale "
                    "translation warnings after the edit (expected: 2, ko and zh-Hans)")

        if not changed or before_edit is None:
            self.raw["check"]["changed"] = {"available": False}
            self.figure("7d", "the same edit, staged, then briefgen check --changed / 7a",
                        None, None, "x", shown="not available",
                        note="`briefgen check --help` has no --changed")
            return
        self.log("7d. the same edit, staged (git add), then briefgen check --changed")
        git(cat, "add", str(brief.relative_to(cat)))
        wait_quiet(self.log)
        narrow = briefgen("check", "--changed", "--project", str(cat), env=before_edit,
                          cwd=cat, check=False)
        self.raw["check"]["changed"] = {"available": True, **narrow.raw(),
                                        "exit": narrow.returncode,
                                        "stderr_tail": narrow.err[-2000:]}
        self.figure("7d", "the same edit, staged (git add), then briefgen check --changed / 7a",
                    narrow.wall / shipped.wall if narrow.returncode == 0 else None, None, "x",
                    shown=None if narrow.returncode == 0 else f"exit {narrow.returncode}",
                    note=f"{narrow.wall:.2f} s / {shipped.wall:.2f} s; from the cache as it "
                    "was before the edit" if narrow.returncode == 0 else
                    f"failed: {narrow.err.strip()[-300:]}")

    def check_then(self) -> None:
        """7e: a cold check now / the same check by briefgen as it was when issue 19 was
        filed (CHECK_THEN: its briefgen/ and templates/, unpacked from git into the work
        folder), on one catalogue whose briefs each have their own text, in CPU time.

        The old code runs from its own folder: `python -m` puts the working folder first
        on sys.path, so run from the repository it would import today's briefgen whatever
        PYTHONPATH says (it did, until 2026-12-02: both sides of 7e were today's code).
        then_imports() proves which briefgen each side imports before anything is timed."""
        n = self.size["check_then"]
        name = "cold check now / the same check at the commit issue 19 was filed against"
        then = self.work / "check-then"
        try:
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", CHECK_THEN,
                                      "briefgen", "templates"], capture_output=True,
                                     check=True).stdout
            then.mkdir(parents=True)
            subprocess.run(["tar", "-x", "-C", str(then)], input=archive, check=True)
        except (OSError, subprocess.CalledProcessError) as exc:
            self.figure("7e", name, None, 0.5, "x", shown="skipped",
                        note=f"git archive {CHECK_THEN} failed ({exc})")
            return
        old_env = self.fresh_cache("7e-then") | {"PYTHONPATH": str(then)}  # checked, then timed
        imports = {"now": then_imports(ROOT, dict(os.environ)),
                   "then": then_imports(then, old_env)}
        if imports["now"] != ROOT / "briefgen" or imports["then"] != then / "briefgen":
            self.figure("7e", name, None, 0.5, "x", shown="skipped",
                        note=f"the two checks would not import two briefgens: {imports}")
            return
        cat = self.catalogue(n, name="check-then")
        self.log(f"7e. {n} briefs, cold: briefgen now, and as of {CHECK_THEN}")
        wait_quiet(self.log)
        now = briefgen("check", "--project", str(cat), env=self.fresh_cache("7e-now"))
        wait_quiet(self.log)
        old = run([PY, "-m", "briefgen", "check", "--project", str(cat)], cwd=then,
                  env=old_env)
        self.raw["check"]["then"] = {"commit": CHECK_THEN, "briefs": n,
                                     "imports": {k: str(v) for k, v in imports.items()},
                                     "now": now.raw(), "then": old.raw()}
        self.figure("7e", f"{name} ({CHECK_THEN}), {n} briefs, CPU", now.cpu / old.cpu, 0.5,
                    "x", note=f"{now.cpu:.1f} s / {old.cpu:.1f} s CPU ({now.cpu / n * 1000:.0f} "
                    f"against {old.cpu / n * 1000:.0f} ms per brief)")

    # 10 ----------------------------------------------------------------------------------------
    def shards(self) -> None:
        n = self.size["shard"]
        cat = self.catalogue(n)
        self.log(f"10. {n} briefs: full build --force (default --jobs), then "
                 f"--shard k/{SHARDS} for k = 1..{SHARDS}, one after another")
        full_out = self.work / f"shard{n}-full"
        wait_quiet(self.log, max_wait=45)
        full = build(cat, full_out, "--force")
        self.log(f"   full build {full.wall:.1f} s")
        parts, outs = [], []
        for k in range(1, SHARDS + 1):
            outs.append(self.work / f"shard{n}-{k}")
            wait_quiet(self.log, max_wait=45)
            parts.append(build(cat, outs[-1], "--force", "--shard", f"{k}/{SHARDS}"))
            self.log(f"   shard {k}/{SHARDS}: {parts[-1].wall:.1f} s "
                     f"({parts[-1].summary().get('built')} built)")
        times = [r.wall for r in parts]
        med = statistics.median(times)
        self.raw["shards"] = {"briefs": n, "full": {**full.raw(), **full.summary()},
                              "shards": [{**r.raw(), **r.summary()} for r in parts]}
        self.figure("10", f"sharded CI, {n} briefs: median shard (build --shard k/{SHARDS} "
                    "--force, its own process and folder) / full build --force",
                    med / full.wall, 0.3, "x",
                    note=f"median {med:.1f} s, max {max(times):.1f} s (max / full "
                    f"{max(times) / full.wall:.2f}x) / full {full.wall:.1f} s; shards "
                    + ", ".join(f"{t:.1f}" for t in times) + " s")

        self.log("10b. the shards' files in one folder, manifest merge, compared with the "
                 "full build")
        merged = self.work / f"shard{n}-merged"
        clash = []
        for out in outs:
            for p in sorted(out.rglob("*")):
                if p.is_file():
                    target = merged / p.relative_to(out)
                    if target.exists() and target.read_bytes() != p.read_bytes():
                        clash.append(p.relative_to(out).as_posix())
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(p, target)
        names = sorted(p.name for p in merged.glob("manifest.shard-*.json"))
        merge = briefgen("manifest", "merge", *(str(merged / x) for x in names), "--out",
                         str(merged / "manifest.json"), "--project", str(cat), check=False)
        full_m = {p: a["sha256"] for p, a in manifest(full_out).items()}
        merged_m = ({p: a["sha256"] for p, a in manifest(merged).items()}
                    if merge.returncode == 0 else {})
        same = merge.returncode == 0 and merged_m == full_m
        files = {p.relative_to(full_out).as_posix() for p in full_out.rglob("*") if p.is_file()}
        got = {p.relative_to(merged).as_posix() for p in merged.rglob("*") if p.is_file()
               and not p.name.startswith("manifest.shard-")}
        differ = sorted(f for f in files & got
                        if (full_out / f).read_bytes() != (merged / f).read_bytes())
        self.raw["shards"]["merge"] = {
            "exit": merge.returncode, "wall_s": merge.wall, "parts": names,
            "manifest_equal": same, "only_in_full": sorted(set(full_m) - set(merged_m)),
            "only_in_merged": sorted(set(merged_m) - set(full_m)),
            "sha256_differ": sorted(p for p in set(full_m) & set(merged_m)
                                    if full_m[p] != merged_m[p]),
            "files_only_in_full": sorted(files - got), "files_only_in_merged": sorted(got - files),
            "files_differ": differ, "shards_disagree": clash,
            "stderr_tail": merge.err[-2000:]}
        self.figure("10b", f"`briefgen manifest merge` of the {SHARDS} shards' manifests = "
                    "the full build's manifest (paths, sha256)", None, None,
                    shown="yes" if same else "NO",
                    note=(f"{len(full_m)} artifacts; " if same else
                          f"merge exit {merge.returncode}; " if merge.returncode else
                          f"{len(set(full_m) ^ set(merged_m))} paths in one only, "
                          f"{len(self.raw['shards']['merge']['sha256_differ'])} sha256 "
                          "differ; ")
                    + ("every file (index pages, feeds, sitemaps written by the merge "
                       "included) is byte-identical to the full build's"
                       if not differ and files == got else
                       f"files: {len(differ)} differ, {len(files - got)} only in the full "
                       f"build, {len(got - files)} only in the merged folder (results.json)"))

    # 9 -----------------------------------------------------------------------------------------
    def preview(self) -> None:
        import importlib.util

        why = ("playwright is not installed (pip install playwright; no browser download: "
               "it drives /usr/bin/chromium)" if importlib.util.find_spec("playwright") is None
               else f"{preview.CHROMIUM} is missing (apt-get install -y chromium)"
               if not Path(preview.CHROMIUM).is_file() else None)
        name = "preview: save to new page painted in Chromium, HTML edition (ms, median)"
        if why:
            self.log(f"9. skipped: {why}")
            self.raw["preview"] = {"skipped": why}
            self.figure("9", name, None, 250, "ms", shown="skipped", note=why)
            return
        saves = self.size["saves"]
        self.log(f"9. briefgen serve + Chromium (playwright): {saves} saves")
        wait_quiet(self.log)
        r = run([PY, str(HERE / "preview.py"), "--saves", str(saves)], check=False,
                timeout=120 + 20 * saves)
        try:
            data = json.loads(r.out) if r.returncode == 0 and not r.timed_out else None
        except ValueError:
            data = None
        if data is None:
            why = "timed out" if r.timed_out else f"exit {r.returncode}"
            self.raw["preview"] = {"failed": why, "stderr_tail": r.err[-3000:]}
            self.figure("9", name, None, 250, "ms", shown="failed",
                        note=f"benchmarks/preview.py {why}: {r.err.strip()[-300:]}")
            return
        self.raw["preview"] = data | {"wall_s": r.wall}
        self.figure("9", name, data["median_ms"], 250, "ms",
                    note=f"median of {len(data['trials_ms'])} saves (after a warm-up), "
                    f"{data['min_ms']:.0f}–{data['max_ms']:.0f} ms; first contentful paint "
                    "of the reloaded page minus the time of the save")

    # 8 -----------------------------------------------------------------------------------------
    def pandoc(self) -> None:
        if not shutil.which("pandoc"):
            self.log("8. skipped: pandoc is not installed (apt-get install -y pandoc)")
            self.figure("8", "briefgen build / pandoc + weasyprint CLI (pandoc missing)", None,
                        0.3, "x")
            return
        self.log("8. pandoc + weasyprint CLI, one process per document, vs briefgen build")
        cli = str(Path(PY).parent / "weasyprint")
        pipes, defaults = [], []
        for _ in range(self.size["repeats"]):
            wait_quiet(self.log)
            import pipeline  # needs PyYAML, which only this figure uses

            pipes.append(pipeline.run(ROOT, self.work / "pandoc", cli))
            wait_quiet(self.log)
            defaults.append(build(ROOT, self.work / "shipped-default", "--force"))
        pipe = min(pipes, key=lambda p: p["wall_s"])
        default = best(defaults)
        j1 = self.raw["shipped_build_j1"]
        self.raw["pandoc"] = {"pipeline": pipe, "briefgen_default_jobs": {
            "jobs": len(os.sched_getaffinity(0)), "wall_s": default.wall, "cpu_s": default.cpu},
            "briefgen_j1": {"wall_s": j1.wall, "cpu_s": j1.cpu}}
        self.figure("8a", f"briefgen build --force (default --jobs "
                    f"{len(os.sched_getaffinity(0))}) / pandoc+weasyprint, "
                    f"{pipe['documents']} PDFs", default.wall / pipe["wall_s"], 0.3, "x",
                    note=f"{default.wall:.2f} s / {pipe['wall_s']:.2f} s wall (pandoc "
                    f"{pipe['pandoc_s']:.2f} s, weasyprint CLI {pipe['weasyprint_s']:.2f} s)")
        self.figure("8b", "same with briefgen --jobs 1", j1.wall / pipe["wall_s"], 0.3, "x",
                    note=f"{j1.wall:.2f} s / {pipe['wall_s']:.2f} s; CPU {j1.cpu:.1f} s vs "
                    f"{pipe['cpu_s']:.1f} s")


def _num(value: float) -> str:
    """3 significant digits, without an exponent: 0.0146, 1.07, 3950."""
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _cells(f: dict[str, Any], dash: str, miss: str) -> tuple[str, str, str]:
    """A figure's measured value, target and verdict, formatted for a table."""
    unit = f["unit"]
    sp = " " if unit in ("s", "ms", "KB", "MiB") else ""
    val = f.get("shown") or (dash if f["value"] is None else f"{_num(f['value'])}{sp}{unit}")
    op = "≤" if f.get("better", "lower") == "lower" else "≥"
    tgt = dash if f["target"] is None else f"{op} {_num(f['target'])}{sp}{unit}"
    return val, tgt, {True: "PASS", False: miss, None: "info"}[f["pass"]]


def table(figures: list[dict[str, Any]]) -> str:
    rows = [("#", "figure", "measured", "target", "")]
    for f in figures:
        rows.append((f["id"], f["name"], *_cells(f, "-", "MISS")))
    widths = [min(max(len(r[i]) for r in rows), 90) for i in range(5)]
    lines = []
    for r in rows:
        lines.append("  ".join(c[:widths[i]].ljust(widths[i]) for i, c in enumerate(r)).rstrip())
    return "\n".join(lines)


def markdown_table(figures: list[dict[str, Any]]) -> str:
    lines = ["| # | figure | measured | target | result | detail |",
             "|---|---|---|---|---|---|"]
    for f in figures:
        val, tgt, verdict = _cells(f, "–", "**MISS**")
        lines.append(f"| {f['id']} | {f['name']} | {val} | {tgt} | {verdict} | {f['note']} |")
    return "\n".join(lines)


README = HERE / "README.md"
BEGIN = "<!-- results:begin"
END = "<!-- results:end -->"


def readme_block(results: dict[str, Any]) -> str:
    """The README's results, generated: the commit measured, the run, the machine, and the
    table of figures (benchmarks/README.md holds it between BEGIN and END)."""
    g = results.get("git") or {}
    m = results.get("machine", {})
    commit = g.get("commit")
    state = ("commit unknown" if not commit else f"commit `{commit[:12]}`" + (
        " with uncommitted changes (" + ", ".join(f"`{f}`" for f in g["changed_files"][:8])
        + (", …" if len(g["changed_files"]) > 8 else "") + ")" if g.get("dirty") else
        ", clean tree"))
    only = results.get("only")
    lines = [f"{BEGIN} (generated by `benchmarks/run.py --readme`: do not edit by hand) -->",
             "",
             f"Measured by `benchmarks/run.py` ({results.get('mode')} mode"
             + (f", only {', '.join(only)}" if only else "") + f") on {state}, "
             f"{results.get('date')}, {results.get('elapsed_s', 0):.0f} s; "
             f"{m.get('nproc')} CPUs ({m.get('cpu')}), {m.get('ram_gib')} GiB, Python "
             f"{m.get('python')}, WeasyPrint {m.get('weasyprint')}; load average "
             f"{results.get('load_average_before', [0])[0]:.2f} before, "
             f"{results.get('load_average_after', [0])[0]:.2f} after.",
             "",
             markdown_table(results.get("figures", [])),
             "",
             END]
    return "\n".join(lines)


def write_readme(block: str) -> None:
    text = README.read_text(encoding="utf-8")
    start, end = text.find("\n" + BEGIN) + 1, text.find("\n" + END) + 1
    if start <= 0 or end < start:
        raise SystemExit(f"benchmark: {README} has no {BEGIN} … {END} block to replace")
    README.write_text(text[:start] + block + text[end + len(END):], encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller catalogues (a smoke test)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/bench-run"),
                    help="scratch folder for catalogues and builds (wiped first)")
    ap.add_argument("--results", type=Path, default=None,
                    help="where to write the figures (default benchmarks/results.json, "
                    "or benchmarks/results-quick.json with --quick)")
    ap.add_argument("--only", default="", help="comma-separated steps: "
                    + ",".join(STEPS) + " (default: all)")
    ap.add_argument("--readme", action="store_true",
                    help="also write the results table, with the commit measured, into "
                    "benchmarks/README.md (between its results:begin and results:end lines)")
    ap.add_argument("--from-results", type=Path, metavar="JSON",
                    help="measure nothing: print the README's results block made from this "
                    "results file (with --readme, write it into the README)")
    args = ap.parse_args()
    if args.from_results:
        block = readme_block(json.loads(args.from_results.read_text(encoding="utf-8")))
        if args.readme:
            write_readme(block)
        print(block)
        return 0
    only = [s for s in args.only.split(",") if s] or list(STEPS)
    if unknown := [s for s in only if s not in STEPS]:
        ap.error(f"--only: no step {', '.join(unknown)} (steps: {', '.join(STEPS)})")
    if args.results is None:
        args.results = HERE / ("results-quick.json" if args.quick else "results.json")
    work = args.work.resolve()
    if not work.name.startswith("bench-") or work.parent != Path("/tmp"):
        ap.error("--work must be a /tmp/bench-* folder")
    if work.exists():
        shutil.rmtree(work)
    work.mkdir()
    bench = Bench("quick" if args.quick else "full", work)
    info = machine()
    state = git_state()
    load_before = os.getloadavg()
    bench.log(f"{info['nproc']} CPUs ({info['cpu']}), load average {load_before[0]:.2f}; "
              f"mode {bench.mode}; commit {str(state['commit'])[:12]}"
              + (" + uncommitted changes" if state["dirty"] else "")
              + f"; briefgen from {info['briefgen_path']}")
    if "pandoc" in only and "floor" not in only:
        only.insert(0, "floor")
    for name in STEPS:
        if name in only:
            getattr(bench, STEPS[name])()
    elapsed = time.perf_counter() - bench.started
    bench.raw.pop("shipped_build_j1", None)
    results = {"mode": bench.mode, "only": None if not args.only else only,
               "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
               "command": " ".join([PY, *sys.argv]), "git": state,
               "machine": info, "load_average_before": load_before,
               "load_average_after": os.getloadavg(), "elapsed_s": elapsed,
               "figures": bench.figures, "markdown_table": markdown_table(bench.figures),
               "raw": bench.raw}
    args.results.write_text(json.dumps(results, indent=1, default=str) + "\n")
    print(table(bench.figures))
    print(f"\n{elapsed:.0f} s in all; load average before {load_before[0]:.2f}, after "
          f"{os.getloadavg()[0]:.2f}; results in {args.results}")
    if args.readme:
        write_readme(readme_block(results))
        print(f"results table written into {README}")
    return 0


#: --only's step names, in the order they run, and the Bench method of each
STEPS = {"floor": "floor", "jobs": "catalogue_builds", "html": "html_scale",
         "memory": "memory", "check": "check", "shard": "shards", "preview": "preview",
         "pandoc": "pandoc"}


if __name__ == "__main__":
    sys.exit(main())
