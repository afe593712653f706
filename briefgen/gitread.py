"""The one way briefgen runs git: read-only plumbing over a repository that is untrusted.

A project's repository comes with the pull request like its content: its `.git/config` can
name programs (a clean or smudge filter, core.fsmonitor, a pager, an external diff or
textconv driver, gpg.program for signatures), `.git/hooks` holds programs, and
`.gitattributes` chooses filters and diff drivers. Porcelain that looks at the work tree or
the index (`git status`, `git diff`, `git add`) runs them. So briefgen never asks git about
the work tree or the index; it only reads objects, and `git()` enforces that:

    from briefgen.gitread import GitError, git

    try:
        head = git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], root)
        listing = git(["ls-tree", "-r", "-z", "HEAD", "--", "content"], root)
    except GitError as exc:
        ...  # exc.why: "git is not installed", "git did not answer within 30 s", …

- only the subcommands in READ_ONLY (object readers; aliases never replace a built-in
  command), and no option that asks for a filter, textconv, external diff or signature
  (REFUSED, and any argument with a format's `%G`);
- `-c` settings that beat the repository's config: no fsmonitor, hooks from /dev/null, no
  pager, no signature checks, network protocols refused; `--no-ext-diff --no-textconv`
  for the commands that can show a diff;
- an environment without the caller's GIT_* variables, with no system or global config
  (GIT_CONFIG_NOSYSTEM, GIT_CONFIG_GLOBAL=/dev/null), no replace objects (`refs/replace`
  could show another tree under a commit's id), no lazy fetch, no optional locks (never
  refresh the index), no terminal prompt, the C locale;
- git found by its absolute path, no shell, stdin from a file (never a deadlock), a
  timeout, and its output read up to a limit (beyond it git is killed).

A repository owned by another user is refused by git itself (safe.directory is read only
from the global and system config, which are not read): the caller gets a GitError.
"""

from __future__ import annotations

import os
import selectors
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from briefgen.errors import printable

TIMEOUT = 30.0  # seconds for one git command
MAX_OUTPUT = 16 * 1024 * 1024  # bytes of stdout (an ls-tree of 100,000 files is ~10 MB)

#: the subcommands git() runs: each reads objects or refs, never the work tree or index
READ_ONLY = frozenset({"rev-parse", "ls-tree", "cat-file", "rev-list", "log", "diff-tree",
                       "config", "diff-index", "ls-files"})
#: the subcommands that can show a diff, given --no-ext-diff --no-textconv
_DIFFING = frozenset({"log", "diff-tree", "diff-index"})
#: options that would make git convert content, run a driver or check a signature
REFUSED = ("--textconv", "--filters", "--ext-diff", "--show-signature", "--path=",
           "--output", "--output=", "--paginate",
           "--edit", "--add", "--replace-all", "--unset", "--rename-section",
           "--remove-section", "--file=", "--global", "--system", "--blob=")

# -c beats every config file; core.hooksPath=/dev/null: no hook can be found
SAFE_CONFIG = ("-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null",
               "-c", "core.pager=cat", "-c", "log.showSignature=false",
               "-c", "color.ui=false", "-c", "protocol.allow=never",
               # a bare repository committed inside the project is never taken for ours
               "-c", "safe.bareRepository=explicit",
               # and what a repository could set to change what these commands answer
               "-c", "log.follow=false", "-c", "diff.relative=false")


class GitError(Exception):
    """git could not answer: `why` says why, as a sentence part."""

    def __init__(self, why: str, status: int | None = None) -> None:
        super().__init__(why)
        self.why = why
        self.status = status  # git's exit status; None if it did not run or finish


def environment(index: str | None = None) -> dict[str, str]:
    """The environment git runs in: the caller's, without GIT_*, with briefgen's settings;
    with `index`, that index file (GIT_INDEX_FILE)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    if index is not None:
        env["GIT_INDEX_FILE"] = index
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null",
               GIT_NO_REPLACE_OBJECTS="1", GIT_NO_LAZY_FETCH="1", GIT_OPTIONAL_LOCKS="0",
               GIT_TERMINAL_PROMPT="0", GIT_ALLOW_PROTOCOL="", GIT_PAGER="cat",
               GIT_LITERAL_PATHSPECS="1", PAGER="cat", LC_ALL="C")
    return env


def git(args: Sequence[str], cwd: Path, *, stdin: bytes | None = None,
        timeout: float | None = None, limit: int | None = None,
        index: str | None = None) -> bytes:
    """git's stdout for `git <args>` run in cwd; GitError if the command is not a read-only
    one, git is missing, fails, takes longer than `timeout` or says more than `limit`."""
    if not args or args[0] not in READ_ONLY:
        raise GitError(f"briefgen does not run git {args[0] if args else ''}".strip())
    if args[0] == "config" and tuple(args[1:2]) != ("--get",) and \
            tuple(args[1:3]) != ("-z", "--get"):
        raise GitError("briefgen runs git config only to --get a value")
    if args[0] == "ls-files" and tuple(args[1:3]) != ("--stage", "-z"):
        # other listings (-m, -o, …) look at the work tree, and may hash (filter) its files
        raise GitError("briefgen runs git ls-files only with --stage -z")
    if args[0] == "diff-index" and tuple(args[1:2]) != ("--cached",):
        # without --cached it would read (and maybe filter) the work tree's files
        raise GitError("briefgen runs git diff-index only with --cached")
    for arg in args[1:]:
        if any(arg == r or (r.endswith("=") and arg.startswith(r)) for r in REFUSED) or \
                "%G" in arg:  # a format asking for a signature's check runs gpg
            raise GitError(f"briefgen does not run git with {arg}")
    exe = shutil.which("git")
    if exe is None:
        raise GitError("git is not installed")
    timeout = TIMEOUT if timeout is None else timeout
    limit = MAX_OUTPUT if limit is None else limit
    extra = ["--no-ext-diff", "--no-textconv"] if args[0] in _DIFFING else []
    argv = [str(Path(exe).resolve()), "--no-pager", *SAFE_CONFIG, args[0], *extra, *args[1:]]
    with tempfile.TemporaryFile() as given:
        given.write(stdin or b"")
        given.seek(0)
        try:
            proc = subprocess.Popen(argv, cwd=cwd, env=environment(index), stdin=given,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    start_new_session=True)  # killed with what it starts
        except OSError as exc:
            raise GitError(f"git could not start ({exc.strerror})") from None
        out, err = _collect(proc, timeout, limit)
    if proc.returncode != 0:
        said = err.decode("utf-8", "replace").strip().splitlines()
        raise GitError(printable("git failed: " + (said[0][:200] if said else
                                                   f"exit status {proc.returncode}")),
                       proc.returncode)
    return out


def _collect(proc: subprocess.Popen[bytes], timeout: float, limit: int
             ) -> tuple[bytes, bytes]:
    """stdout (at most `limit` bytes) and stderr (at most 64 KB) of a running git; it is
    killed past the timeout or the limit."""
    assert proc.stdout is not None and proc.stderr is not None
    out_fd, err_fd = proc.stdout.fileno(), proc.stderr.fileno()
    chunks: dict[int, list[bytes]] = {out_fd: [], err_fd: []}
    sizes = {out_fd: 0, err_fd: 0}
    caps = {out_fd: limit, err_fd: 64 * 1024}
    deadline = time.monotonic() + timeout
    why = ""
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        sel.register(proc.stderr, selectors.EVENT_READ)
        while sel.get_map() and not why:
            left = deadline - time.monotonic()
            if left <= 0:
                why = f"git did not answer within {timeout:g} s"
                break
            for key, _ in sel.select(left):
                data = os.read(key.fd, 65536)
                if not data:
                    sel.unregister(key.fileobj)
                    continue
                sizes[key.fd] += len(data)
                if sizes[key.fd] <= caps[key.fd]:
                    chunks[key.fd].append(data)
                elif key.fd == out_fd:
                    why = f"git's answer was longer than {limit:,} bytes"
                    break
                # stderr beyond its cap: read on (git must not block), keep nothing more
    if why:
        _kill(proc)
    try:
        proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        _kill(proc)
        proc.wait()
        why = why or f"git did not answer within {timeout:g} s"
    proc.stdout.close()
    proc.stderr.close()
    if why:
        raise GitError(why)
    return b"".join(chunks[out_fd]), b"".join(chunks[err_fd])


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """Kill git and whatever it started (its own session's process group)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        proc.kill()


# -- the state of a project's files: compared by briefgen, never by `git status` -------------

#: attributes that make a checkout write other bytes than the blob (and eol=crlf; text
#: with core.eol=crlf): with any of them set anywhere, equal blobs are not equal files
CONVERTING = ("filter", "ident", "working-tree-encoding")
MAX_ATTRIBUTES = 1024 * 1024  # bytes of one attributes file (more: unknown)
MAX_HASHED = 1024 * 1024 * 1024  # bytes of working files hashed at most (then: unknown)


class Unknown(Exception):
    """Whether the working files are those of the commit cannot be told."""


def revision(root: Path, folders: Sequence[str]) -> tuple[str | None, bool]:
    """The commit the project at root is checked out at, and whether any file under its
    `folders` differs from that commit: (None, False) outside git or before a first commit;
    (None, True) when they differ, git cannot answer, or a checkout of the commit could
    give other files than its blobs (_converts): the files may not be any commit's."""
    if shutil.which("git") is None:
        return None, False
    try:
        try:
            head = git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], root)
        except GitError as exc:
            if exc.status is None:
                return None, True  # git could not answer
            try:
                git(["rev-parse", "--git-dir"], root)
            except GitError as outside:
                if outside.status is not None and "not a git repository" in outside.why:
                    return None, False
                return None, True  # e.g. a repository owned by another user
            return None, False  # a repository without a commit yet
        commit = head.decode("ascii").strip()
        if differs(root, folders):
            return None, True
        return commit, False
    except (GitError, Unknown, UnicodeError, OSError):
        return None, True


def differs(root: Path, folders: Sequence[str], staged: bool = False,
            index: str | None = None) -> bool:
    """Whether any file under `folders` of root is not the blob HEAD (with `staged`: git's
    index) has at its path (an added, removed or changed file, a changed link or executable
    bit); Unknown if git would convert a file, one is neither a file, a link nor a folder,
    or (staged) the index holds a merge conflict. `index`: the index file to read (a hook's
    GIT_INDEX_FILE: `git commit PATHS` and `commit -a` stage into one of their own)."""
    top = Path(os.fsdecode(git(["rev-parse", "--show-toplevel"], root).rstrip(b"\n")))
    prefix = os.fsdecode(git(["rev-parse", "--show-prefix"], root).rstrip(b"\n"))
    if (top / prefix).resolve() != root.resolve():
        raise Unknown("the project is not where git's work tree says")
    if _converts(root, top, prefix, folders):
        raise Unknown("git would convert files")
    if staged:  # "mode oid stage\tpath", paths from the top: run there
        listing = git(["ls-files", "--stage", "-z", "--", *(prefix + f for f in folders)],
                      top, index=index)
    else:  # "mode kind oid\tpath"
        listing = git(["ls-tree", "-r", "-z", "--full-tree", "HEAD", "--",
                       *(prefix + f for f in folders)], root)
    committed: dict[str, tuple[str, str]] = {}
    for item in listing.split(b"\0"):
        if not item:
            continue
        meta, _, name = item.partition(b"\t")
        if staged:
            mode, oid, stage = meta.decode("ascii").split(" ")
            kind = "blob" if mode != "160000" else "commit"
            if stage != "0":
                raise Unknown("the index holds a merge conflict")
        else:
            mode, kind, oid = meta.decode("ascii").split(" ")
        if kind != "blob":  # a submodule
            raise Unknown("a folder is another repository")
        committed[os.fsdecode(name)[len(prefix):]] = (mode, oid)
    working = _working(root, folders, len(next(iter(committed.values()))[1])
                       if committed else 40)
    return working != committed


def _config(root: Path, name: str) -> str | None:
    """A setting of the repository's own config (None if unset; "" if set without a value,
    which git reads as true)."""
    try:
        return os.fsdecode(git(["config", "-z", "--get", name], root).rstrip(b"\0"))
    except GitError as exc:
        if exc.status == 1:  # not set
            return None
        raise


def _converts(root: Path, top: Path, prefix: str, folders: Sequence[str]) -> bool:
    """Whether a checkout of the commit could give other bytes than its blobs, so that equal
    blobs do not make equal files: an attributes file that can apply to the project sets
    (on any line: a macro's too) `filter`, `ident`, `working-tree-encoding` or `eol=crlf`,
    or `text`/`crlf` when the repository says core.eol=crlf; or the repository says
    core.autocrlf=true or names another attributes file. Unset (`-text`) and unspecified
    (`!text`) attributes convert nothing. Read as text, never through git."""
    autocrlf = _config(root, "core.autocrlf")
    if _config(root, "core.attributesFile") is not None or (
            autocrlf is not None and autocrlf.lower() not in ("false", "no", "off", "0",
                                                              "input")):
        return True  # any other value (true, 1, 2, none at all) converts on checkout
    crlf = (_config(root, "core.eol") or "").lower() == "crlf"
    info = Path(os.fsdecode(git(["rev-parse", "--git-path", "info/attributes"],
                                root).rstrip(b"\n")))
    files = [info if info.is_absolute() else root / info]
    folder = top
    for part in [p for p in prefix.split("/") if p]:
        files.append(folder / ".gitattributes")
        folder = folder / part
    files.append(folder / ".gitattributes")  # the project's own
    for name in folders:
        files += sorted((root / name).rglob(".gitattributes"))
    for path in files:
        if path.is_symlink():
            return True  # git does not read a linked .gitattributes in the tree: unknown
        if not path.exists():
            continue
        with path.open("rb") as fh:
            raw = fh.read(MAX_ATTRIBUTES + 1)
        if len(raw) > MAX_ATTRIBUTES:
            return True
        for line in raw.decode("utf-8", "replace").splitlines():
            for token in line.split()[1:]:
                if token.startswith(("-", "!")):
                    continue
                name, _, value = token.partition("=")
                if name in CONVERTING or (name == "eol" and value.lower() == "crlf") or \
                        (name in ("text", "crlf") and crlf):
                    return True
    return False


def _working(root: Path, folders: Sequence[str], oid_length: int
             ) -> dict[str, tuple[str, str]]:
    """Each file and link under folders, by path relative to root: (git mode, blob id)."""
    import hashlib

    algorithm = "sha1" if oid_length == 40 else "sha256"
    found: dict[str, tuple[str, str]] = {}
    budget = [MAX_HASHED]

    def blob_id(data_size: int, chunks: Sequence[bytes] | None, path: Path | None) -> str:
        h = hashlib.new(algorithm)
        h.update(b"blob %d\0" % data_size)
        if chunks is not None:
            for chunk in chunks:
                h.update(chunk)
        elif path is not None:
            with path.open("rb") as fh:
                while block := fh.read(1 << 20):
                    h.update(block)
        return h.hexdigest()

    # what a link may lead to: a file or folder compared here (a build follows links; one
    # leading anywhere else, .git/ included, reads bytes no commit need hold)
    compared = [(root / f).resolve() for f in folders if not os.path.islink(root / f)]

    def visit(path: Path, rel: str) -> None:
        st = path.lstat()
        if os.path.islink(path):
            real = path.resolve()
            if not real.exists() or not any(real.is_relative_to(c) for c in compared):
                raise Unknown("a link leads out of the folders compared")
            target = os.fsencode(os.readlink(path))
            found[rel] = ("120000", blob_id(len(target), [target], None))
        elif path.is_dir():
            if path.name == ".git":
                raise Unknown("a folder is another repository")
            for child in sorted(os.listdir(path)):
                visit(path / child, f"{rel}/{child}")
        elif path.is_file():
            budget[0] -= st.st_size
            if budget[0] < 0:
                raise Unknown("too much to hash")
            mode = "100755" if st.st_mode & 0o100 else "100644"
            found[rel] = (mode, blob_id(st.st_size, None, path))
        else:
            raise Unknown("neither a file, a link nor a folder")

    for folder in folders:
        start = root / folder
        if os.path.lexists(start):
            visit(start, folder)
    return found
