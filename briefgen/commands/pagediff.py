"""Two versions of an edition's page compared for a redline: units, then blocks, then tokens.

Units (pagetext.py) are matched by id, then, among those left, by identical text; a matched
unit outside the longest common order of both versions is *moved*. Within a matched unit,
blocks are aligned by their text; a block replaced by one at least half like it (by tokens)
is compared token by token, any other is deleted whole and its replacement inserted whole.
Tokens are words, or single characters of Han, Hangul and Kana (pagetext.tokenize).

Every alignment is difflib.SequenceMatcher without its junk heuristic (autojunk=False, so
that frequent words and spaces still match): O(n·m) at worst for n and m items, usually
near linear. To bound it, a pair of blocks is compared by tokens only when the product of
their lengths is at most MAX_CELLS (4 million: two blocks of 2,000 tokens; above it the
block is shown replaced whole), and a deleted block is paired with one of the next
PAIR_WINDOW replacement blocks at most.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

from briefgen.commands.pagetext import Block, Page, Token, Unit, tokenize

MAX_CELLS = 4_000_000
PAIR_WINDOW = 20
SIMILAR = 0.5  # a changed block: at least this ratio of its tokens kept

Op = Literal["equal", "insert", "delete"]
BlockStatus = Literal["equal", "changed", "inserted", "deleted"]
UnitStatus = Literal["unchanged", "changed", "inserted", "deleted"]


@dataclass(frozen=True)
class Run:
    """Consecutive tokens of one operation and one language."""

    op: Op
    lang: str
    text: str


@dataclass(frozen=True)
class BlockChange:
    kind: str  # "h1".."h6" or "p"
    status: BlockStatus
    runs: tuple[Run, ...]


@dataclass(frozen=True)
class UnitChange:
    id: str
    title: str  # of the newer version (of the older, for a deleted unit)
    status: UnitStatus
    blocks: tuple[BlockChange, ...]
    moved: bool = False
    moved_after: str | None = None  # a moved unit followed this unit's title; "" = first

    @property
    def inserted(self) -> int:
        return _words(self, "insert")

    @property
    def deleted(self) -> int:
        return _words(self, "delete")


def _words(unit: UnitChange, op: Op) -> int:
    return sum(len([t for t in _split(r.text, r.lang) if t.word]) for b in unit.blocks
               for r in b.runs if r.op == op)


def _split(text: str, lang: str) -> tuple[Token, ...]:
    return tokenize([(text, lang)])


@dataclass(frozen=True)
class Redline:
    lang: str
    units: tuple[UnitChange, ...]

    @property
    def counts(self) -> dict[str, int]:
        units = self.units
        return {"inserted": sum(u.inserted for u in units),
                "deleted": sum(u.deleted for u in units),
                "changed": sum(u.status == "changed" for u in units),
                "moved": sum(u.moved for u in units),
                "added": sum(u.status == "inserted" for u in units),
                "removed": sum(u.status == "deleted" for u in units)}


def _runs(pairs: list[tuple[Op, Token]]) -> tuple[Run, ...]:
    out: list[Run] = []
    for op, token in pairs:
        if out and out[-1].op == op and out[-1].lang == token.lang:
            out[-1] = Run(op, token.lang, out[-1].text + token.text)
        else:
            out.append(Run(op, token.lang, token.text))
    return tuple(out)


def whole(block: Block, op: Op) -> BlockChange:
    statuses: dict[Op, BlockStatus] = {"equal": "equal", "insert": "inserted",
                                       "delete": "deleted"}
    status = statuses[op]
    return BlockChange(block.kind, status, _runs([(op, t) for t in block.tokens]))


def _ratio(a: Block, b: Block) -> float:
    if len(a.tokens) * len(b.tokens) > MAX_CELLS:
        return 0.0
    matcher = SequenceMatcher(None, [t.text for t in a.tokens], [t.text for t in b.tokens],
                              autojunk=False)
    return matcher.ratio() if matcher.quick_ratio() >= SIMILAR else 0.0


def compare_blocks(a: Block, b: Block) -> BlockChange:
    """The newer block b against the older a, token by token: a space alone between two
    changes is part of the change (one deletion, one insertion, not a patchwork)."""
    ta, tb = a.tokens, b.tokens
    codes = SequenceMatcher(None, [t.text for t in ta], [t.text for t in tb],
                            autojunk=False).get_opcodes()
    # absorb equal runs that are only spaces, between two changes
    merged: list[tuple[bool, int, int, int, int]] = []  # (equal?, i1, i2, j1, j2)
    for n, (op, i1, i2, j1, j2) in enumerate(codes):
        equal = op == "equal" and not (0 < n < len(codes) - 1
                                       and all(t.text.isspace() for t in ta[i1:i2]))
        if merged and not equal and not merged[-1][0]:
            merged[-1] = (False, merged[-1][1], i2, merged[-1][3], j2)
        else:
            merged.append((equal, i1, i2, j1, j2))
    pairs: list[tuple[Op, Token]] = []
    for equal, i1, i2, j1, j2 in merged:
        if equal:
            pairs += [("equal", t) for t in tb[j1:j2]]
        else:
            pairs += [("delete", t) for t in ta[i1:i2]]
            pairs += [("insert", t) for t in tb[j1:j2]]
    return BlockChange(b.kind, "changed", _runs(pairs))


def _pair(old: list[Block], new: list[Block]) -> list[BlockChange]:
    out: list[BlockChange] = []
    j = 0
    for o in old:
        match = next((k for k in range(j, min(len(new), j + PAIR_WINDOW))
                      if new[k].kind == o.kind and _ratio(o, new[k]) >= SIMILAR), None)
        if match is None:
            out.append(whole(o, "delete"))
            continue
        out += [whole(n, "insert") for n in new[j:match]]
        out.append(compare_blocks(o, new[match]))
        j = match + 1
    return out + [whole(n, "insert") for n in new[j:]]


def compare_units(a: Unit, b: Unit) -> tuple[BlockChange, ...]:
    matcher = SequenceMatcher(None, [x.key for x in a.blocks], [x.key for x in b.blocks],
                              autojunk=False)
    out: list[BlockChange] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out += [whole(block, "equal") for block in b.blocks[j1:j2]]
        else:
            out += _pair(list(a.blocks[i1:i2]), list(b.blocks[j1:j2]))
    return tuple(out)


def compare(old: Page, new: Page) -> Redline:
    """The redline of the newer page against the older, in the newer page's order, each
    unit only the older has where it stood (after the unit it followed)."""
    olds = {u.id: u for u in old.units}
    partner: dict[str, str] = {u.id: u.id for u in new.units if u.id in olds}  # new -> old
    left = [u for u in old.units if u.id not in partner.values()]
    for u in new.units:
        if u.id in partner:
            continue
        same = next((o for o in left if o.text == u.text), None)
        if same is not None:
            partner[u.id] = same.id
            left.remove(same)
    to_new = {o: n for n, o in partner.items()}
    old_order = [to_new[u.id] for u in old.units if u.id in to_new]
    new_order = [u.id for u in new.units if u.id in partner]
    matcher = SequenceMatcher(None, old_order, new_order, autojunk=False)
    staying = {uid for block in matcher.get_matching_blocks()
               for uid in new_order[block.b:block.b + block.size]}
    before = {u.id: (old.units[i - 1].title if i else "") for i, u in enumerate(old.units)}
    # units only the older page has, after the newer unit matched to the one they followed
    gone: dict[str | None, list[UnitChange]] = {}
    anchor: str | None = None
    for u in old.units:
        if u.id in to_new:
            anchor = to_new[u.id]
        else:
            gone.setdefault(anchor, []).append(UnitChange(
                u.id, u.title, "deleted", tuple(whole(b, "delete") for b in u.blocks)))
    out = list(gone.get(None, []))
    for u in new.units:
        if u.id not in partner:
            out.append(UnitChange(u.id, u.title, "inserted",
                                  tuple(whole(b, "insert") for b in u.blocks)))
        else:
            o = olds[partner[u.id]]
            blocks = compare_units(o, u)
            status: UnitStatus = "unchanged" if all(b.status == "equal" for b in blocks) \
                else "changed"
            moved = u.id not in staying
            out.append(UnitChange(u.id, u.title, status, blocks, moved,
                                  before[o.id] if moved else None))
        out += gone.get(u.id, [])
    return Redline(new.lang, tuple(out))


def summary(c: dict[str, int]) -> str:
    """The counts in a line: 'Words: 5 inserted, 1 deleted. Sections: 2 changed, …'."""
    return (f"Words: {c['inserted']} inserted, {c['deleted']} deleted. Sections: "
            f"{c['changed']} changed, {c['moved']} moved, {c['added']} added, "
            f"{c['removed']} removed.")


def redline_text(redline: Redline, heading: str) -> str:
    """The redline as plain text: [-deleted-] and {+inserted+} (wdiff's marks), a line per
    block of a changed unit, one line per unchanged unit."""
    c = redline.counts
    lines = [heading, summary(c), ""]
    for u in redline.units:
        where = ""
        if u.moved:
            where = f"; moved, was after {u.moved_after}" if u.moved_after else \
                "; moved, was first"
        lines.append(f"== {u.title} [{u.status}{where}]")
        if u.status == "unchanged":
            continue
        for b in u.blocks:
            marks = "".join(r.text if r.op == "equal" else
                            f"[-{r.text}-]" if r.op == "delete" else f"{{+{r.text}+}}"
                            for r in b.runs)
            lines.append(f"  {b.kind}: {marks}")
    return "\n".join(lines) + "\n"
