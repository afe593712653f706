"""Whether a link target is a URL a browser reads as its author meant (#16).

Parsing is the WHATWG URL standard's, as browsers do it, by ada-url (the parser Node.js
uses; briefgen does not keep a URL parser of its own). The standard's parser forgives much
that its "valid URL string" rules do not: it reads `https://../` with the host `..` and
`http:/x` as `http://x/`. So a target must also keep those rules where a slip hides: a host
is an IP address or a domain whose labels are letters, digits and hyphens of 1 to 63
characters (the standard's "valid domain": UTS #46 with STD3 rules and DNS lengths; a
punycode label must decode), a special scheme is followed by '//', and no user name or
password is written. A relative target is read against a base URL, as a browser would."""

from __future__ import annotations

import re
import unicodedata

import ada_url

#: what a relative target is read against (the .invalid top-level domain resolves nowhere)
BASE = "https://briefgen.invalid/brief/"
_SPECIAL = ("http", "https", "ftp", "ws", "wss", "file")
_LABEL = re.compile(r"[a-z0-9-]{1,63}")
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
_DOMAIN = "is not a domain name (labels of letters, digits and hyphens, separated by single " \
          "dots)"


def scheme(target: str) -> str:
    """The scheme a browser reads in target ('https' for a relative one, '' if it cannot
    parse it)."""
    try:
        return str(ada_url.URL(target, BASE).protocol).rstrip(":").lower()
    except ValueError:
        return ""


def serialized(target: str) -> str | None:
    """An absolute URL as the WHATWG standard serialises it (what a browser reads), or None
    if it does not parse."""
    try:
        return str(ada_url.URL(target).href)
    except ValueError:
        return None


def problem(target: str) -> str | None:
    """Why target is not a valid URL or relative URL, or None when it is one."""
    try:
        url = ada_url.URL(target, BASE)
    except ValueError:
        return "a browser cannot parse it"
    scheme = _SCHEME.match(target)
    if scheme and scheme[1].lower() in _SPECIAL and not target[scheme.end():].startswith("//"):
        return f"'{scheme[0]}' is not followed by '//'"
    if url.username or url.password:
        return "it holds a user name or password"
    host = url.hostname
    if url.host_type == ada_url.HostType.DEFAULT and host and not _domain(host):
        return f"its host '{host}' {_DOMAIN}"
    return None


def _domain(host: str) -> bool:
    """Whether an ASCII host (ada has applied IDNA) is a valid domain."""
    name = host[:-1] if host.endswith(".") else host
    if not 1 <= len(name) <= 253:
        return False
    return all(_LABEL.fullmatch(label) and _punycode(label) for label in name.split("."))


def _punycode(label: str) -> bool:
    """A label that is not punycode, or one that decodes to printable non-ASCII text."""
    if not label.startswith("xn--"):
        return True
    try:
        text = label[4:].encode("ascii").decode("punycode")
    except UnicodeError:
        return False
    return bool(text) and text.isprintable() and not text.isascii()


# The mixes of scripts a host label may be shown in: UTS #39's "highly restrictive" ones
# (Latin, with Han and Kana, Han and Bopomofo, or Han and Hangul). Stricter than UTS #39, a
# label wholly in another script (Cyrillic, Greek…) is not shown: 'аррӏе' is all Cyrillic.
_SHOWN_SCRIPTS = (frozenset({"LATIN", "CJK", "HIRAGANA", "KATAKANA", "KATAKANA-HIRAGANA"}),
                  frozenset({"LATIN", "CJK", "BOPOMOFO"}),
                  frozenset({"LATIN", "CJK", "HANGUL"}))


def shown_host_is_safe(host: str) -> bool:
    """Whether a host's Unicode form can be shown: each label's letters are Latin, or Han
    with Kana, Bopomofo or Hangul, Latin among them or not (no Cyrillic 'а' in 'аpple', no
    Greek 'ο' in 'gοogle', no all-Cyrillic 'аррӏе' either)."""
    for label in host.lower().rstrip(".").split("."):
        if label.startswith("xn--"):
            try:
                label = label[4:].encode("ascii").decode("punycode")
            except UnicodeError:
                return False
        scripts = {_script(c) for c in label if c.isalpha()}
        if not any(scripts <= allowed for allowed in _SHOWN_SCRIPTS):
            return False
    return True


def _script(char: str) -> str:
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if name else "UNKNOWN"


def shown(href: str, text: str) -> str:
    """What a bare URL or <autolink> shows: as written, unless its host is one a reader
    could misread (shown_host_is_safe), then the link's own ASCII target."""
    try:
        host = str(ada_url.URL(href).hostname)
    except ValueError:
        return text
    return text if shown_host_is_safe(host) else href
