"""Orders and lists under change: what stayed in order, and three-way merges of sequences.

Used by :mod:`.diff` (which items moved) and :mod:`.merge` (merging the order of
stages, lanes, touchpoints... and lists of texts inside items).

>>> sorted(stable_ids(["a", "b", "c", "d"], ["b", "c", "d", "a"]))
['b', 'c', 'd']
>>> merge_lists(["slow"], ["slow", "no guest checkout"], ["slow", "hidden fees"])
['slow', 'no guest checkout', 'hidden fees']
>>> merge_order(["a", "b", "c"], ["c", "a", "b"], ["a", "b", "c", "d"], {"a", "b", "c", "d"})[0]
['c', 'a', 'b', 'd']
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Collection, Hashable, Sequence

__all__ = ["stable_ids", "merge_lists", "merge_order"]

_HEAD = object()


def stable_ids(a: Sequence[Hashable], b: Sequence[Hashable]) -> set:
    """The largest set of (unique) elements of ``a`` that ``b`` keeps in the same order.

    Elements in only one of the two are ignored. The elements of ``a`` and ``b`` off this
    set are the fewest whose moves explain the new order. It is the longest increasing
    subsequence of ``a``'s positions read in ``b``'s order: O(n log n), so maps with
    thousands of touchpoints are fine.

    >>> sorted(stable_ids(["a", "b"], ["b", "a"]))
    ['a']
    >>> sorted(stable_ids([1, 2, 3, 4, 5], [1, 4, 2, 3, 5, 6]))
    [1, 2, 3, 5]
    """
    where = {x: i for i, x in enumerate(a)}
    seq = [(where[x], x) for x in b if x in where]
    tails: list[int] = []  # tails[k]: smallest last position of an increasing run of length k+1
    tail_at: list[int] = []  # index in seq of that last element
    back: list[int] = []  # index in seq of the element before each one in its run (-1: none)
    for i, (pos, _) in enumerate(seq):
        k = bisect_left(tails, pos)
        if k == len(tails):
            tails.append(pos)
            tail_at.append(i)
        else:
            tails[k] = pos
            tail_at[k] = i
        back.append(tail_at[k - 1] if k else -1)
    keep: set = set()
    i = tail_at[-1] if tail_at else -1
    while i >= 0:
        keep.add(seq[i][1])
        i = back[i]
    return keep


def merge_lists(base: Sequence[str], ours: Sequence[str], theirs: Sequence[str]) -> list[str]:
    """Three-way merge of a list of texts (tags, pain points, event keys...), as an ordered set.

    Ours is the starting point; what theirs removed (present in ``base``, gone from
    ``theirs``) goes; what theirs added (not in ``base``) comes in after the entry it
    follows in ``theirs`` (after ours' additions at that place). Nothing either side
    added is lost, and the same entry added on both sides is kept once.

    >>> merge_lists(["a", "b", "c"], ["a", "c"], ["a", "b", "c", "d"])
    ['a', 'c', 'd']
    >>> merge_lists([], ["vip"], ["vip", "new"])
    ['vip', 'new']
    """
    in_base = set(base)
    gone = in_base - set(theirs)
    out = [x for x in ours if x not in gone]
    present = set(out)
    added_by_ours = {x for x in ours if x not in in_base}
    previous = None
    for x in theirs:
        if x in present:
            previous = x
            continue
        if x in in_base:  # ours removed it: it stays removed
            continue
        pos = out.index(previous) + 1 if previous is not None else 0
        while pos < len(out) and out[pos] in added_by_ours:
            pos += 1
        out.insert(pos, x)
        present.add(x)
        previous = x
    return out


def merge_order(
    base: Sequence[Hashable],
    ours: Sequence[Hashable],
    theirs: Sequence[Hashable],
    keep: Collection[Hashable],
    *,
    ours_moved: Collection[Hashable] = (),
    theirs_moved: Collection[Hashable] = (),
    theirs_wins: Collection[Hashable] = (),
) -> tuple[list, set]:
    """Merge two reorderings of ``base`` as order operations; returns ``(order, moved_by_both)``.

    ``keep`` are the elements of the result (the merged items). An element is *placed* by a
    side when that side added it, moved it (it is off the side's :func:`stable_ids`), or
    the caller says so (``ours_moved``/``theirs_moved``: e.g. a touchpoint whose stage
    changed). Elements placed by neither keep their base order; each placed element goes
    right after the element it follows on its side, ours first, theirs after ours'
    placements at the same spot; an element ours moved does not carry theirs' insertion
    along (theirs meant its old place). So one side's reorder and the other side's
    insertions both hold. An element placed by both sides takes ours' place, or theirs' when it is
    in ``theirs_wins``.

    >>> merge_order(["a", "b"], ["a", "b", "x"], ["a", "b", "y"], {"a", "b", "x", "y"})
    (['a', 'b', 'x', 'y'], set())
    """
    keep = set(keep)
    in_base, in_ours, in_theirs = set(base), set(ours), set(theirs)
    stable_o = stable_ids([x for x in base if x in in_ours], [x for x in ours if x in in_base])
    stable_t = stable_ids([x for x in base if x in in_theirs], [x for x in theirs if x in in_base])
    ours_moved, theirs_moved, theirs_wins = set(ours_moved), set(theirs_moved), set(theirs_wins)
    owner: dict = {}
    both: set = set()
    for x in keep:
        by_o = x in in_ours and (x not in in_base or x not in stable_o or x in ours_moved)
        by_t = x in in_theirs and (x not in in_base or x not in stable_t or x in theirs_moved)
        if by_o and by_t:
            both.add(x)
            owner[x] = "t" if x in theirs_wins else "o"
        elif by_o:
            owner[x] = "o"
        elif by_t:
            owner[x] = "t"
    nxt: dict = {_HEAD: None}

    def insert_after(anchor: object, x: object) -> None:
        nxt[x] = nxt[anchor]
        nxt[anchor] = x

    last = _HEAD
    for x in base:
        if x in keep and x not in owner:
            insert_after(last, x)
            last = x
    for side, order in (("o", ours), ("t", theirs)):
        last = _HEAD
        for x in order:
            if owner.get(x) == side:
                pos = last
                if side == "t":
                    while nxt[pos] is not None and owner.get(nxt[pos]) == "o":
                        pos = nxt[pos]
                insert_after(pos, x)
                last = x
            elif x in nxt and (side == "o" or owner.get(x) != "o"):
                last = x  # (an element ours moved is no anchor for theirs: theirs meant its old place)
    out = []
    x = nxt[_HEAD]
    while x is not None:
        out.append(x)
        x = nxt[x]
    return out, both
