"""Read one YAML file into plain data, keeping the line and column of every key and value."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import stat
import sys
import tempfile
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Generic, TypeVar

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.composer import Composer
from ruamel.yaml.constructor import DuplicateKeyError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError, YAMLFutureWarning, YAMLWarning
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

from briefgen.errors import BriefError, Problem
from briefgen.paths import confined
from briefgen.recent import Recent

MAX_BYTES = 2 * 1024 * 1024  # a brief is ~20 KB; anything near this is a mistake
MAX_DEPTH = 50  # a brief nests ~6 levels; deeper is a typo (unclosed brackets) or an attack
MAX_VALUES = 100_000  # after expanding aliases: stops "billion laughs" (&a [*b, *b, ...])

Loc = tuple[str | int, ...]


class _Constructor(RoundTripConstructor):
    """Round-trip constructor that leaves timestamps as text: pydantic validates dates."""


_Constructor.add_constructor(
    "tag:yaml.org,2002:timestamp",
    lambda self, node: self.construct_scalar(node),
)


ALLOWED_TAGS = (None, "!", "tag:yaml.org,2002:str")  # `! 2026` and `!!str 2026` mean text


class _Refused(Exception):
    """Input the composer stops at: too deep, or a tag that would build something odd."""

    def __init__(self, mark: Any, message: str, hint: str, code: str) -> None:
        super().__init__(message)
        self.mark, self.message, self.hint, self.code = mark, message, hint, code


class _Composer(Composer):
    """Stops at MAX_DEPTH levels (deeper input makes ruamel recurse and scan for seconds)
    and at tags such as !!set or !!python/object (ruamel can crash on them, and content
    holds only text, numbers, lists and mappings)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._nesting = getattr(self, "_nesting", 0) + 1
        try:
            event = self.parser.peek_event()
            if self._nesting > MAX_DEPTH:
                raise _Refused(event.start_mark,
                               f"values are nested more than {MAX_DEPTH} levels deep",
                               "check for brackets [ { that are never closed", code="BG109")
            tag = getattr(event, "tag", None)
            tag = getattr(tag, "value", tag)
            if tag not in ALLOWED_TAGS:
                shown = str(tag).replace("tag:yaml.org,2002:", "!!")
                raise _Refused(event.start_mark, f"YAML tag '{shown}' is not supported",
                               "remove it: content files hold only text, numbers, lists and "
                               "mappings", code="BG110")
            return super().compose_node(parent, index)
        finally:
            self._nesting -= 1


class _Expansion(Exception):
    """An alias loop or an alias bomb found while converting to plain data."""

    def __init__(self, loc: Loc, message: str, hint: str, code: str) -> None:
        super().__init__(message)
        self.loc, self.message, self.hint, self.code = loc, message, hint, code


T = TypeVar("T")


@dataclass
class Document:
    """A parsed file: plain data plus where each value came from."""

    path: str  # as shown to the user
    data: Any
    positions: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    block: set[Loc] = field(default_factory=set)  # values written as | or > block scalars
    indent: dict[Loc, int] = field(default_factory=dict)  # block scalars: spaces before text

    def where(self, loc: Loc) -> tuple[int, int]:
        """Line and column (1-based) of the value at loc, or of its nearest ancestor."""
        loc = tuple(loc)
        while loc:
            if loc in self.positions:
                return self.positions[loc]
            loc = loc[:-1]
        return self.positions.get((), (1, 1))

    def text_line(self, loc: Loc) -> int:
        """The file line on which the text of a (possibly block) scalar starts."""
        line, _ = self.where(loc)
        return line + 1 if tuple(loc) in self.block else line


@dataclass(frozen=True)
class Sourced(Generic[T]):
    """A validated value and the file it was read from, which knows the line and column of
    every part of it: `audience.value.name`, `audience.where(("terms", key))`."""

    value: T
    doc: Document

    @property
    def path(self) -> str:
        return self.doc.path

    def where(self, loc: Loc) -> tuple[int, int]:
        return self.doc.where(loc)


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    yaml.Composer = _Composer
    yaml.allow_duplicate_keys = False
    return yaml


def _plain(node: Any, loc: Loc, doc: Document, walk: dict[str, Any] | None = None) -> Any:
    """Plain dicts, lists and scalars; records positions. Aliases are expanded, within limits."""
    walk = walk if walk is not None else {"values": 0, "open": set()}
    walk["values"] += 1
    if walk["values"] > MAX_VALUES:
        raise _Expansion(loc[:1], f"more than {MAX_VALUES:,} values",  # at the top-level key
                         "content files are small; look for YAML aliases like *name that repeat "
                         "a large block", code="BG112")
    if isinstance(node, (CommentedMap, CommentedSeq)):
        if id(node) in walk["open"]:
            raise _Expansion(loc, "a YAML alias (*name) points at a value that contains it",
                             "an alias cannot sit inside the value its &name anchor marks",
                             code="BG111")
        walk["open"].add(id(node))
        try:
            return _plain_container(node, loc, doc, walk)
        finally:
            walk["open"].discard(id(node))
    if isinstance(node, str):
        return _text(str(node), loc)
    if isinstance(node, TaggedScalar):  # `!!str 2026` or `! 2026`: the text as written
        return _text(str(node.value), loc)
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


#: What no page, feed or PDF may carry, written as an escape ("\\x01", "\\uFFFE"; the
#: reader refuses them written raw): C0 controls but tab and line breaks, and Unicode's
#: noncharacters. XML cannot hold them, so a feed or sitemap would not be XML.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufdd0-\ufdef\ufffe\uffff"
                       "\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff"
                       "\U0004fffe\U0004ffff\U0005fffe\U0005ffff\U0006fffe\U0006ffff"
                       "\U0007fffe\U0007ffff\U0008fffe\U0008ffff\U0009fffe\U0009ffff"
                       "\U000afffe\U000affff\U000bfffe\U000bffff\U000cfffe\U000cffff"
                       "\U000dfffe\U000dffff\U000efffe\U000effff\U000ffffe\U000fffff"
                       "\U0010fffe\U0010ffff]")


def _text(value: str, loc: Loc) -> str:
    found = _NOT_TEXT.search(value)
    if found:
        raise _Expansion(loc, f"character U+{ord(found.group()):04X} is not text: no page, "
                         "feed or PDF may carry it", "remove the escape that writes it",
                         code="BG114")
    return value


def _plain_container(node: Any, loc: Loc, doc: Document, walk: dict[str, Any]) -> Any:
    if isinstance(node, CommentedMap):
        out: dict[Any, Any] = {}
        for key, value in node.items():
            child = (*loc, str(key))
            try:
                kline, kcol = node.lc.key(key)
                vline, vcol = node.lc.value(key)
            except (KeyError, TypeError, AttributeError):  # pragma: no cover - defensive
                kline, kcol = vline, vcol = node.lc.line, node.lc.col
            # Errors about a key point at the key; about a scalar, at its value.
            is_scalar = not isinstance(value, (CommentedMap, CommentedSeq))
            doc.positions[child] = (vline + 1, vcol + 1) if is_scalar else (kline + 1, kcol + 1)
            doc.positions[(*child, "<key>")] = (kline + 1, kcol + 1)
            if isinstance(value, (LiteralScalarString, FoldedScalarString)):
                doc.block.add(child)
            if isinstance(key, str):
                _text(key, (*child, "<key>"))
            out[str(key) if not isinstance(key, (int, bool)) else key] = _plain(value, child, doc,
                                                                                  walk)
        return out
    items = []
    for i, value in enumerate(node):  # a CommentedSeq
        child = (*loc, i)
        line, col = node.lc.item(i)
        doc.positions[child] = (line + 1, col + 1)
        if isinstance(value, (LiteralScalarString, FoldedScalarString)):
            doc.block.add(child)
        items.append(_plain(value, child, doc, walk))
    return items


def _line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of an offset into text."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def read_yaml(path: Path, shown: str, cache: Path | None = None,
              roots: Iterable[Path] | None = None, documents: Documents | None = None
              ) -> Document:
    """Parse a YAML file; raise BriefError with file:line:col for anything unreadable.

    With roots, a file that resolves (through a symlink) outside all of them is refused
    (paths.confined). With a cache folder, a file whose bytes were parsed before is not
    parsed again (parsing is most of the time `check` and an incremental build take; see
    cache_entry). With `documents` (a Session's), the parsed files are also remembered in
    memory, so a long-running serve or --watch does not even read its cache entries again."""
    if roots is not None:
        path = confined(path, roots, shown)
    try:
        if path.exists() and not path.is_file():  # a FIFO or device: blocks or never ends
            raise BriefError([Problem(shown, 0, 0, "not a regular file",
                                      hint="content files must be ordinary YAML files",
                                      code="BG102")])
        size = path.stat().st_size
        with path.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)  # never more, whatever stat said
        size = max(size, len(raw))
        if size > MAX_BYTES:
            raise BriefError([Problem(shown, 0, 0,
                f"file is {size / 1_000_000:.1f} MB; content files are limited to "
                f"{MAX_BYTES // (1024 * 1024)} MB", hint="split it or remove pasted data",
                code="BG103")])
    except OSError as exc:
        raise BriefError([Problem(shown, 0, 0, f"cannot read file: {exc.strerror}",
                                  code="BG101")]) from None
    entry = cache_entry(cache, path, raw, documents) if cache else None
    if entry and (doc := entry.load(shown)):
        return doc
    doc = _parse_recent(raw, shown)
    if entry:
        entry.save(doc)
    return doc


#: the files parsed last, by a hash of their bytes: an edition reads its chart files when it
#: draws them, and a brief's ten editions would parse each ten times (a few, not all: a
#: large catalogue's build holds one brief at a time)
_RECENT: Recent[bytes, Document] = Recent(32)


def _parse_recent(raw: bytes, shown: str) -> Document:
    """_parse, or a copy of the Document it gave for the same bytes lately (parsing is a
    function of the bytes; only the path shown is the caller's). A copy: a caller that
    changed its Document (an audience's forbidden_phrases emptied) must not change what
    the next reader of the same bytes gets."""
    digest = hashlib.sha256(raw).digest()
    doc = _RECENT.get(digest)
    if doc is None:
        doc = _parse(raw, shown)
        _RECENT.put(digest, doc)
    return Document(shown, _copied(doc.data), dict(doc.positions), set(doc.block),
                    dict(doc.indent))


def _copied(value: Any) -> Any:
    """Parsed data with every mapping and list its own (scalars are immutable)."""
    if isinstance(value, dict):
        return {k: _copied(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copied(v) for v in value]
    return value


def parse_yaml(raw: bytes, shown: str) -> Document:
    """Parse YAML that is not a file of the project (an older version read from git), with
    read_yaml's limits; raise BriefError with file:line:col for anything unreadable."""
    if len(raw) > MAX_BYTES:
        raise BriefError([Problem(shown, 0, 0,
            f"file is {len(raw) / 1_000_000:.1f} MB; content files are limited to "
            f"{MAX_BYTES // (1024 * 1024)} MB", hint="split it or remove pasted data",
            code="BG103")])
    return _parse(raw, shown)


def _parse(raw: bytes, shown: str) -> Document:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # a BOM from Windows editors is harmless
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[:exc.start].decode("utf-8")  # valid up to there
        line, col = _line_col(before, len(before))
        raise BriefError([Problem(shown, line, col,
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
            hint="save the file with UTF-8 encoding", code="BG104")]) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip() or all(
            not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        raise BriefError([Problem(shown, 1, 1, "file is empty", code="BG105")])
    doc = Document(shown, None)
    try:
        with warnings.catch_warnings():
            # e.g. a reused anchor name: valid YAML, and not the editor's business
            warnings.simplefilter("ignore", YAMLWarning)
            warnings.simplefilter("ignore", YAMLFutureWarning)
            node = _yaml().load(text)
    except _Refused as exc:
        raise BriefError([Problem(shown, exc.mark.line + 1, exc.mark.column + 1, exc.message,
                                  hint=exc.hint, code=exc.code)]) from None
    except ReaderError as exc:  # a control character, U+FFFE or U+FFFF
        line, col = _line_col(text, exc.position)
        raise BriefError([Problem(shown, line, col,
            f"character U+{exc.character:04X} is not allowed in YAML",
            hint="delete it: most editors do not show it", code="BG106")]) from None
    except DuplicateKeyError as exc:
        mark = exc.problem_mark
        key = _duplicate_key(exc)
        first = _first_line(text, key, mark.line, mark.column)
        raise BriefError([Problem(shown, mark.line + 1, mark.column + 1,
            f"duplicate key '{key}'" + (f" (first defined on line {first})" if first else ""),
            hint="each key may appear only once", code="BG108")]) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        if "\\t" in problem or "\t" in problem:
            problem = "tab character: indent with spaces, YAML does not allow tabs"
        raise BriefError([Problem(shown, line, col, f"YAML syntax error: {problem}",
                                  code="BG107")]) from None
    except YAMLError as exc:
        raise BriefError([Problem(shown, 0, 0, f"YAML error: {exc}", code="BG107")]) from None
    except (AttributeError, IndexError, KeyError, TypeError, ValueError, RecursionError) as exc:
        # ruamel.yaml itself failed on odd input: still the file's problem, not a crash
        raise BriefError([Problem(shown, 0, 0, f"YAML could not be read ({type(exc).__name__}: "
                                  f"{str(exc)[:80]})", hint="simplify the syntax near recent "
                                  "edits", code="BG113")]) from None
    if not isinstance(node, (CommentedMap, CommentedSeq)) and node is None:
        raise BriefError([Problem(shown, 1, 1, "file is empty", code="BG105")])
    doc.positions[()] = (1, 1)
    try:
        doc.data = _plain(node, (), doc)
    except _Expansion as exc:
        line, col = doc.where(exc.loc)
        raise BriefError([Problem(shown, line, col, exc.message, hint=exc.hint,
                                  code=exc.code)]) from None
    _block_indents(doc, text)
    return doc


# -- the parse cache -------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _parser_id() -> bytes:
    """What a parse depends on besides the file: this module's code and ruamel's version."""
    from ruamel.yaml import __version__ as ruamel_version

    return Path(__file__).read_bytes() + str(ruamel_version).encode()


#: The last Document of each cache entry a Session read or wrote, with its digest
#: (Session.documents): content is read-only after parsing, so a later load may share it.
Documents = dict[Path, tuple[str, Document]]


log = logging.getLogger("briefgen.cache")
MAX_ENTRY_BYTES = 64 * MAX_BYTES  # a parsed 2 MB file is far smaller; more is not ours
_MAC_HEAD = b'{"mac":"'  # an entry is {"mac":"<64 hex>", ...the signed JSON object...}
_warned: set[str] = set()


def _warn_once(what: str, message: str) -> None:
    if what not in _warned:
        _warned.add(what)
        log.warning("briefgen: warning: %s", message)


def key_path() -> Path | None:
    """$XDG_CONFIG_HOME/briefgen/cache.key, else ~/.config/briefgen/cache.key: outside the
    cache folder, so whoever can write the cache cannot sign entries."""
    try:
        base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    except RuntimeError:  # no home folder
        return None
    return base / "briefgen" / "cache.key" if base.is_absolute() else None  # never in cwd


def _create_key(path: Path) -> None:
    """32 random bytes, hex, mode 0600, made atomically: a concurrent first run keeps one."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".cache.key.")  # mode 0600
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.link(tmp, path)  # never replaces a key another process made meanwhile
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)


@lru_cache(maxsize=1)
def cache_key() -> bytes | None:
    """The secret that signs cache entries, made on first use; None (cache off, with one
    warning) when it cannot be made or read, is a symlink, malformed, or open to others."""
    path = key_path()
    if path is None:
        return None
    try:
        if not path.exists() and not path.is_symlink():
            _create_key(path)
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as fh:
            info, text = os.fstat(fd), fh.read(200)
    except OSError as exc:
        _warn_once("key", f"parse cache off: cannot use the key {path} "
                   f"({exc.strerror or exc})")
        return None
    mode = info.st_mode
    if not stat.S_ISREG(mode) or mode & 0o077 or info.st_uid != os.getuid():
        _warn_once("key", f"parse cache off: the key {path} is readable or writable by other "
                   f"users, or not yours (mode {mode & 0o777:o}); run: chmod 600 {path}")
        return None
    try:
        key = bytes.fromhex(text.decode("ascii").strip())
    except ValueError:
        key = b""
    if len(key) < 32:
        _warn_once("key", f"parse cache off: the key {path} is malformed; delete it and a new "
                   "one is made")
        return None
    return key


def _mac(key: bytes, body: bytes) -> bytes:
    return hmac.new(key, body, hashlib.sha256).hexdigest().encode()


@dataclass
class CacheEntry:
    """One file's slot in the cache: named after its path, valid for one content hash.

    JSON, not pickle: loading a cache file must not be able to run code, whoever wrote it.
    Each entry is signed (HMAC-SHA256) with cache_key(): an entry this machine did not write
    (a cache restored from another branch or machine) is ignored with one warning, since it
    could say anything, e.g. that an audience has no forbidden phrases. Unsigned, truncated,
    deep or otherwise malformed entries are ignored silently (debug log): a crash or an
    older briefgen leaves those. Dicts and lists are tagged so keys keep their type."""

    file: Path
    digest: str
    key: bytes
    documents: Documents | None = None  # a Session's in-memory entries, if any

    def load(self, shown: str) -> Document | None:
        remembered = self.documents or {}
        digest, doc = remembered.get(self.file, ("", None))
        if doc is not None and digest == self.digest:  # a long-running serve or --watch
            return replace(doc, path=shown)
        try:
            stored = read_signed(self.file, self.key)
            if stored is None or stored["digest"] != self.digest:
                return None
            doc = Document(shown, _decode(stored["data"]),
                           {_loc(loc): (line, col) for loc, line, col in stored["positions"]},
                           {_loc(loc) for loc in stored["block"]},
                           {_loc(loc): n for loc, n in stored["indent"]})
        except (OSError, ValueError, KeyError, TypeError, IndexError, RecursionError) as exc:
            log.debug("parse cache: %s ignored (%s)", self.file, type(exc).__name__)
            return None  # missing, or signed by us yet unreadable (another version)
        self._remember(doc)
        return doc

    def _remember(self, doc: Document) -> None:
        if self.documents is not None:
            self.documents[self.file] = (self.digest, doc)

    def save(self, doc: Document) -> None:
        self._remember(doc)
        stored = {"digest": self.digest, "data": _encode(doc.data),
                  "positions": [[list(loc), *pos] for loc, pos in doc.positions.items()],
                  "block": [list(loc) for loc in doc.block],
                  "indent": [[list(loc), n] for loc, n in doc.indent.items()]}
        write_signed(self.file, self.key, stored)


def read_signed(file: Path, key: bytes) -> dict[str, Any] | None:
    """The JSON object a cache file holds, if this machine signed it with `key`; None if it
    is missing, not a regular file of this user's (a link, a FIFO, a device: never opened
    through a link, never waited on), too large, unsigned or damaged (debug log), or signed
    by another key (one warning: a cache restored from elsewhere could say anything)."""
    fd = os.open(file, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid() or \
                info.st_size > MAX_ENTRY_BYTES:
            log.debug("cache: %s is not a regular file of ours, or too large; ignored", file)
            return None
        raw = fh.read(MAX_ENTRY_BYTES + 1)
    head = len(_MAC_HEAD)
    if len(raw) > MAX_ENTRY_BYTES or raw[:head] != _MAC_HEAD or \
            raw[head + 64:head + 66] != b'",':
        log.debug("cache: %s is unsigned or damaged; ignored", file)
        return None
    mac, body = raw[head:head + 64], b"{" + raw[head + 66:]
    if not hmac.compare_digest(mac, _mac(key, body)):
        _warn_once("mac", f"ignoring cache entries in {file.parent} that this machine did "
                   "not write (a cache restored from elsewhere?)")
        return None
    stored = json.loads(body)
    return stored if isinstance(stored, dict) else None


def _linked(folder: Path) -> bool:
    """Whether `folder`, or a folder between it and the cache folder, is a symbolic link
    (writing through it would write wherever it leads: into a project, say)."""
    top = cache_dir()
    here = folder
    while top is not None and here.is_relative_to(top):
        if here.is_symlink():
            return True
        if here == top:
            break
        here = here.parent
    return False


def write_signed(file: Path, key: bytes, stored: dict[str, Any]) -> None:
    """Write a JSON object to a cache file, signed with `key`, atomically; nothing (and no
    half-written file) when the cache folder cannot be written, or leads elsewhere through
    a symbolic link: a cache is only a shortcut."""
    try:
        folder = file.parent
        if _linked(folder):
            _warn_once("link", f"cache off: {folder} is or passes a symbolic link")
            return
        if not folder.is_dir():
            folder.mkdir(parents=True)
            (folder / "CACHEDIR.TAG").write_text(  # backup tools skip the folder
                "Signature: 8a477f597d28d172789f06886806bc55\n# briefgen's cache\n")
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")
    except OSError:
        return
    try:
        # ASCII (lone surrogates too); the MAC goes first, the rest is what it signs
        body = json.dumps(stored, separators=(",", ":")).encode()
        with os.fdopen(fd, "wb") as fh:
            fh.write(_MAC_HEAD + _mac(key, body) + b'",' + body[1:])
        os.replace(tmp, file)
    except (OSError, ValueError, TypeError):
        Path(tmp).unlink(missing_ok=True)  # disk full: no half-written entry left


def cache_dir() -> Path | None:
    """$BRIEFGEN_CACHE_DIR (empty: no cache), else the user's cache folder. Outside the
    project on purpose: a build never writes there, even when it refuses to run. A relative
    path (it would land in whatever folder briefgen runs in: the project) means no cache,
    with one warning."""
    if (chosen := os.environ.get("BRIEFGEN_CACHE_DIR")) is not None:
        if chosen and not Path(chosen).is_absolute():
            _warn_once("relative", f"cache off: BRIEFGEN_CACHE_DIR={chosen} is not an "
                       "absolute path")
            return None
        return Path(chosen) if chosen else None
    try:
        base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
        if not Path(base).is_absolute():  # the XDG spec: relative values are to be ignored
            base = Path.home() / ".cache"
    except RuntimeError:  # no home folder (some CI containers): no cache
        return None
    return Path(base) / "briefgen"


def _checkout(project: Path) -> Path:
    """The folder a pull request's files may be anywhere in: the git work tree holding the
    project (the nearest folder above it with a .git), else the project itself."""
    real = Path(os.path.realpath(project))
    return next((p for p in (real, *real.parents) if (p / ".git").exists()), real)


def cache_for(project: Path) -> Path | None:
    """cache_dir(), unless it or the signing key (cache_key) lies inside the project or
    the git work tree holding it (a CI job's XDG_CACHE_HOME or HOME in the checkout, say),
    links followed: then no cache, with one warning, and no key is made. The checkout is
    untrusted, and `check` writes nothing in it."""
    folder, key, top = cache_dir(), key_path(), _checkout(project)
    for what, path in (("cache folder", folder), ("cache key", key)):
        if path is not None and Path(os.path.realpath(path)).is_relative_to(top):
            _warn_once(what, f"cache off: the {what} {path} is inside {top}, which a "
                       "commit can write")
            return None
    return folder


def cache_entry(cache: Path, path: Path, raw: bytes, documents: Documents | None = None
                ) -> CacheEntry | None:
    """The entry for a file with these bytes; None when there is no key to sign it with.
    `documents` is where the entry remembers its Document in memory (Session.documents)."""
    if (key := cache_key()) is None:
        return None
    name = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:24]
    digest = hashlib.sha256(_parser_id() + b"\0" + raw).hexdigest()
    return CacheEntry(cache / "yaml" / f"{name}.json", digest, key, documents)


def _encode(value: Any) -> Any:
    if isinstance(value, dict):
        return ["m", *(x for key, item in value.items() for x in (key, _encode(item)))]
    if isinstance(value, list):
        return ["l", *(_encode(item) for item in value)]
    return value


def _decode(value: Any) -> Any:
    if not isinstance(value, list):
        return value
    if value[0] == "m":
        pairs = iter(value[1:])
        return {_key(key): _decode(item) for key, item in zip(pairs, pairs, strict=False)}
    return [_decode(item) for item in value[1:]]


def _key(key: Any) -> Any:
    """A key read from the cache, shared with every other of the same text: JSON makes a
    string for each time a key appears in an array, and a brief's thousands of locations
    are made of a few dozen keys (a project held each once per place otherwise)."""
    return sys.intern(key) if type(key) is str else key


def _loc(items: list[Any]) -> Loc:
    return tuple(_key(k) for k in items)


def _block_indents(doc: Document, text: str) -> None:
    """How far each block scalar's text is indented, so columns inside it match the file."""
    lines = text.split("\n")
    for loc in doc.block:
        line, _ = doc.where(loc)  # the line of the | or > indicator (1-based)
        for body in lines[line:]:
            if body.strip():
                doc.indent[loc] = len(body) - len(body.lstrip(" "))
                break


def _duplicate_key(exc: DuplicateKeyError) -> str:
    problem = exc.problem or ""
    if '"' in problem:
        return problem.split('"')[1]
    return problem


def _first_line(text: str, key: str, before: int, col: int) -> int:
    """Line of the earlier definition of a duplicated key at the same indentation."""
    pattern = re.compile(rf"^\s{{{col}}}['\"]?{re.escape(key)}['\"]?\s*:")
    for number, line in enumerate(text.split("\n")[:before], 1):
        if pattern.match(line):
            return number
    return 0
