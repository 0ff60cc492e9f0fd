"""Ways to damage a real file for the property tests: cut it, flip bytes, drop a closing tag."""

from __future__ import annotations

import re

from hypothesis import strategies as st

__all__ = ["mutation", "mutate"]


def mutation(max_flips: int = 8):
    return st.one_of(
        st.tuples(st.just("truncate"), st.floats(0, 1)),
        st.tuples(st.just("flip"), st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), min_size=1,
                                            max_size=max_flips)),
        st.tuples(st.just("drop-close-tag"), st.floats(0, 1)),
    )


def mutate(data: bytes, how) -> bytes:
    kind, arg = how
    if kind == "truncate":
        return data[: int(len(data) * arg)]
    if kind == "flip":
        buf = bytearray(data)
        for where, value in arg:
            buf[min(int(len(buf) * where), len(buf) - 1)] = value
        return bytes(buf)
    closers = [m.span() for m in re.finditer(rb"</[A-Za-z][^>]*>", data)]
    if not closers:
        return data
    start, end = closers[min(int(len(closers) * arg), len(closers) - 1)]
    return data[:start] + data[end:]
