"""Per-process memos: the one place where this project keeps answers in a process's memory.

Nothing in a memo is authoritative: each entry is keyed or timed so that it is never served
past the moment it could be wrong (a borough's `data_version`, the next switch of its staffed
lines, a few seconds), and every process builds its own. Each memo is created here with
`Memo(name)`, and `clear_all()` empties every one of them (tests/conftest.py does before and
after each test). Why each exists, with the figure that justifies it: docs/architecture.md,
"Per-process memos".

Reads take no lock (a dict lookup is atomic under the GIL); writes and clearing take the one
lock, so a request thread never sees a half-written entry.
"""

from __future__ import annotations

import threading

_lock = threading.Lock()
_memos: dict[str, Memo] = {}


class Memo:
    """A named per-process dictionary of answers."""

    def __init__(self, name: str):
        if name in _memos:
            raise ValueError(f"There is already a memo called {name!r}")
        self.name = name
        self._entries: dict = {}
        _memos[name] = self

    def get(self, key, default=None):
        return self._entries.get(key, default)

    def set(self, key, value) -> None:
        with _lock:
            self._entries[key] = value

    def forget(self, key) -> None:
        with _lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with _lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"<Memo {self.name}: {len(self)} entries>"


def all_memos() -> dict[str, Memo]:
    """Every memo created so far, by name."""
    return dict(_memos)


def clear_all() -> None:
    """Forget every answer every memo of this process holds."""
    for memo in list(_memos.values()):
        memo.clear()
