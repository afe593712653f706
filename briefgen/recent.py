"""Recent: a bounded memo of the values made last, the oldest dropped first. For the memos
of pure functions whose keys lru_cache cannot take (a parse kept under a key that depends on
its result: edition/markdown.py, content/syntax.py) or whose values are copied on the way
out (content/yamlread.py)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Recent(Generic[K, V]):
    def __init__(self, size: int) -> None:
        self.size = size
        self._kept: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        """The value kept under key (now the newest), or None."""
        if key not in self._kept:
            return None
        self._kept.move_to_end(key)
        return self._kept[key]

    def put(self, key: K, value: V) -> None:
        self._kept[key] = value
        self._kept.move_to_end(key)
        while len(self._kept) > self.size:
            self._kept.popitem(last=False)

    def keys(self) -> list[K]:
        return list(self._kept)

    def clear(self) -> None:
        self._kept.clear()
