"""The journey map: :class:`Journey`, a scriptable, undoable document.

>>> import journeywidget as jw
>>> j = jw.Journey("Online store", journey_type="purchase")
>>> browse = j.add_stage("Browse")
>>> buy = j.add_stage("Buy")
>>> tp = j.add_touchpoint("Checkout page", stage=browse, channel="web", emotion=-1)
>>> j.move_touchpoint(tp, stage=buy)
>>> j.diff(jw.Journey.from_dict(j.to_dict()))
[]
>>> j.undo()
>>> j["checkout-page"].stage
'browse'
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Iterator
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .core.clock import now_iso, today
from .core.errors import JourneyError, OperationError
from .core.ids import slugify
from .core.signals import Signal
from .core.vocabulary import LANE_TITLES, default_lanes
from .document.history import Checkpoint, Entry, History, ReplaceDoc, SetTop, apply_all, revert_all

if TYPE_CHECKING:  # pragma: no cover
    from .document.diff import Change
    from .document.guidance import Suggestion
    from .document.merge import Conflict
    from .document.schema import Card, Comment, Goal, Lane, Persona, Stage, Touchpoint

__all__ = ["Journey"]


def _plain(value: Any) -> Any:
    """numpy/pandas scalars (as read from a DataFrame) as plain Python values, recursively."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "dtype") and hasattr(value, "item") and not hasattr(value, "__len__"):
        return value.item()
    return value


def _as_dict(value: Any) -> dict:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, dict):
        return dict(value)
    raise TypeError(f"expected a dict or a journeywidget item, got {type(value).__name__}")


class Journey:
    """A customer journey map: personas, goals, stages, lanes, touchpoints, cards, comments.

    Every change goes through :meth:`apply` (the methods below build the
    operations for you), is validated, and can be undone.

    >>> import journeywidget as jw
    >>> j = jw.Journey("Support", journey_type="support")
    >>> j.add_stage("Seek help")
    'seek-help'
    >>> len(j.stages)
    1
    """

    def __init__(
        self,
        title: str,
        *,
        id: str | None = None,
        description: str = "",
        journey_type: str = "custom",
        state: str = "as_is",
        tags: list[str] | tuple[str, ...] = (),
        emotion_scale: dict | None = None,
        lanes: list[dict] | None = None,
        history_limit: int = 1000,
    ) -> None:
        from .document.io import validate_document
        from .document.operations import emotion_scale_default

        doc = {
            "schema_version": 1,
            "id": id or slugify(str(title), fallback="journey"),
            "title": title,
            "description": description,
            "journey_type": journey_type,
            "state": state,
            "created": now_iso(),
            "modified": today(),
            "tags": list(tags),
            "emotion_scale": emotion_scale or emotion_scale_default(),
            "personas": [], "goals": [], "stages": [],
            "lanes": default_lanes() if lanes is None else [_as_dict(x) for x in lanes],
            "touchpoints": [], "cards": [], "comments": [],
        }
        self._init(validate_document(doc), history_limit)

    def _init(self, doc: dict, history_limit: int = 1000) -> None:
        self._doc = doc
        self._history = History(history_limit)
        self._listeners = Signal("journey change listener")
        self.last_change: dict | None = None
        self._on_disk: dict[str, str] = {}  # real path -> sha256 of the bytes this journey loaded or saved there

    @classmethod
    def _from_canonical(cls, doc: dict, history_limit: int = 1000) -> Journey:
        self = cls.__new__(cls)
        self._init(doc, history_limit)
        return self

    # -- construction & files -------------------------------------------
    @classmethod
    def from_dict(cls, data: dict) -> Journey:
        """Build a journey from a document dict (validated; older versions migrated)."""
        from .document.io import validate_document

        return cls._from_canonical(validate_document(copy.deepcopy(data)))

    @classmethod
    def from_json(cls, text: str | bytes) -> Journey:
        """Build a journey from JSON text."""
        from .document.io import parse_json, validate_document

        return cls._from_canonical(validate_document(parse_json(text)))

    @classmethod
    def load(cls, path: str | os.PathLike, *, max_bytes: int | None = None, revision: str | None = None) -> Journey:
        """Load a journey file. Every problem is reported with its JSON path.

        Its drafts (``<file>.drafts.json``, see :meth:`checkpoint`) come with it.
        ``revision="HEAD~3"`` (a branch, a commit...) loads the version committed to git
        then, from the repository holding the file's folder.

        >>> import journeywidget as jw, tempfile, os
        >>> p = os.path.join(tempfile.mkdtemp(), "map.json")
        >>> jw.Journey("Demo").save(p)
        >>> jw.Journey.load(p).title
        'Demo'
        """
        from .document.io import MAX_FILE_BYTES, read_file_digest

        if revision is not None:
            from .document.gitio import read_revision_document

            return cls._from_canonical(read_revision_document(path, revision, max_bytes or MAX_FILE_BYTES))
        doc, sha = read_file_digest(path, max_bytes or MAX_FILE_BYTES)
        self = cls._from_canonical(doc)
        self._on_disk[os.path.realpath(path)] = sha
        self._load_drafts(path)
        return self

    def _load_drafts(self, path: str | os.PathLike) -> None:
        from .document.drafts import read_drafts

        for cp in read_drafts(path):
            self._history.checkpoints[cp.name] = cp

    def to_dict(self) -> dict:
        """The document as a new dict (canonical: every field, schema key order)."""
        return copy.deepcopy(self._doc)

    def snapshot(self) -> dict:
        """The document as it is now, cheaply: new top-level dict and lists, shared items.

        Edits never change an item in place (they replace it), so a snapshot stays as it
        was while the journey moves on. Treat it as read-only; :meth:`to_dict` gives a copy
        you may change. Views (the widget, metrics, charts) take one per edit.

        >>> import journeywidget as jw
        >>> j = jw.Journey("Demo"); s = j.add_stage("Start")
        >>> before = j.snapshot(); j.update(s, name="Begin")
        >>> before["stages"][0]["name"], j.snapshot()["stages"][0]["name"]
        ('Start', 'Begin')
        """
        return {k: (list(v) if isinstance(v, list) else v) for k, v in self._doc.items()}

    def to_json(self) -> str:
        """The document as JSON text, exactly as :meth:`save` writes it."""
        from .document.io import dumps

        return dumps(self._doc)

    def save(self, path: str | os.PathLike, *, overwrite: bool = False) -> None:
        """Save atomically as UTF-8 JSON (a failure leaves any previous file intact).

        If this journey was loaded from ``path`` or saved there before, and the file
        has changed on disk since (another notebook or process saved it), the save is
        refused with :class:`jw.SaveConflictError` and nothing is written: load the
        other version and merge (``j.diff(jw.Journey.load(path))`` lists what differs),
        or pass ``overwrite=True`` to replace it. A file this journey never read or
        wrote is overwritten as before, so a notebook cell that builds a map and saves
        it runs again and again. A symlink is written through to its target, hard
        links are kept, and a read-only file is refused (:class:`jw.FileWriteError`).
        Checkpoints are kept beside the file, in ``<file>.drafts.json``, and come back
        with :meth:`load`.

        >>> import journeywidget as jw, tempfile, os
        >>> p = os.path.join(tempfile.mkdtemp(), "map.json")
        >>> mine = jw.Journey("Demo")
        >>> mine.save(p)
        >>> theirs = jw.Journey.load(p)
        >>> theirs.add_stage("Theirs")
        'theirs'
        >>> theirs.save(p)
        >>> mine.add_stage("Mine")
        'mine'
        >>> try:
        ...     mine.save(p)
        ... except jw.SaveConflictError:
        ...     print("refused")
        refused
        >>> [str(c) for c in mine.diff(jw.Journey.load(p))]
        ["removed stage 'Mine'", "added stage 'Theirs'"]
        >>> mine.save(p, overwrite=True)
        """
        from .core.atomic import digest, file_digest
        from .core.errors import SaveConflictError
        from .document.drafts import write_drafts
        from .document.io import write_file

        text = self.to_json()
        new = digest(text.encode("utf-8"))
        key = os.path.realpath(path)
        known = self._on_disk.get(key)

        def check(target: Path) -> None:
            if overwrite or known is None:
                return
            now = file_digest(target)
            if now is None or now in (known, new):
                return
            raise SaveConflictError(
                f"{path} changed on disk since this journey loaded or last saved it (another notebook or "
                f"process saved it); nothing was written. To merge: j.merge_from({str(path)!r}) brings the other "
                f"version in (an item both changed keeps yours and gets a 'merge conflict' comment; "
                f"j.diff(jw.Journey.load({str(path)!r})) lists what differs), then save; to keep both, save to another path; "
                f"to replace the other version: j.save({str(path)!r}, overwrite=True).",
                str(path),
            )

        write_file(path, text, check=check)
        self._on_disk[key] = new
        write_drafts(path, self._history.checkpoints.values())

    @classmethod
    def from_template(cls, name: str, *, directory: str | os.PathLike | None = None) -> Journey:
        """A new journey from a built-in template or one saved in ``directory``.

        >>> import journeywidget as jw
        >>> jw.Journey.from_template("ecommerce-purchase").journey_type
        'purchase'
        """
        from .document.templates import load_template

        doc = load_template(name, directory)
        doc["created"] = now_iso()
        doc["modified"] = today()
        return cls._from_canonical(doc)

    def save_template(self, directory: str | os.PathLike, name: str | None = None) -> Path:
        """Save this map as a template in ``directory``; it then lists beside the built-ins."""
        from .document.templates import save_template

        return save_template(self, directory, name)

    @classmethod
    def from_events(cls, df: Any, **kwargs: Any) -> Journey:
        """Draft a map from an event log; see :func:`journeywidget.data.draft.draft_from_events`."""
        from .data.draft import draft_from_events

        return draft_from_events(df, **kwargs)

    # -- reading ----------------------------------------------------------
    @property
    def id(self) -> str:
        return self._doc["id"]

    @property
    def title(self) -> str:
        return self._doc["title"]

    @property
    def description(self) -> str:
        return self._doc["description"]

    @property
    def journey_type(self) -> str:
        return self._doc["journey_type"]

    @property
    def state(self) -> str:
        return self._doc["state"]

    @property
    def tags(self) -> list[str]:
        return list(self._doc["tags"])

    @property
    def created(self) -> datetime:
        return datetime.fromisoformat(self._doc["created"].replace("Z", "+00:00"))

    @property
    def modified(self) -> date:
        return date.fromisoformat(self._doc["modified"])

    @property
    def emotion_scale(self) -> dict:
        return copy.deepcopy(self._doc["emotion_scale"])

    @property
    def layout(self) -> dict:
        """How the map lays out: ``{"card_columns": 3}`` (change it with
        ``j.update(j.id, layout={"card_columns": 4})``, an undoable edit)."""
        return dict(self._doc["layout"])

    def _items(self, coll: str) -> list:
        from .document.schema import COLLECTION_KIND, KINDS

        model = KINDS[COLLECTION_KIND[coll]][1]
        return [model.model_validate(it) for it in self._doc[coll]]

    @property
    def personas(self) -> list[Persona]:
        return self._items("personas")

    @property
    def goals(self) -> list[Goal]:
        return self._items("goals")

    @property
    def stages(self) -> list[Stage]:
        return self._items("stages")

    @property
    def lanes(self) -> list[Lane]:
        return self._items("lanes")

    @property
    def touchpoints(self) -> list[Touchpoint]:
        return self._items("touchpoints")

    @property
    def cards(self) -> list[Card]:
        return self._items("cards")

    @property
    def comments(self) -> list[Comment]:
        return self._items("comments")

    def touchpoints_in(self, stage: str) -> list[Touchpoint]:
        """The touchpoints of a stage (id or name), in order."""
        sid = self._resolve(stage, "stages", "stage")
        return [t for t in self.touchpoints if t.stage == sid]

    def __getitem__(self, item_id: str) -> Any:
        from .document.operations import locate
        from .document.schema import COLLECTION_KIND, KINDS

        found = locate(self._doc, item_id)
        if found is None:
            raise KeyError(f"no item with id {item_id!r} in this journey")
        coll, pos = found
        return KINDS[COLLECTION_KIND[coll]][1].model_validate(self._doc[coll][pos])

    def __contains__(self, item_id: object) -> bool:
        from .document.operations import locate

        return isinstance(item_id, str) and locate(self._doc, item_id) is not None

    def __iter__(self) -> Iterator[Touchpoint]:
        return iter(self.touchpoints)

    def __len__(self) -> int:
        return len(self._doc["touchpoints"])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Journey):
            return NotImplemented
        return self._doc == other._doc

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        d = self._doc
        return (
            f"<Journey {d['title']!r}: {len(d['stages'])} stages, {len(d['touchpoints'])} touchpoints, "
            f"{len(d['personas'])} personas>"
        )

    def _resolve(self, ref: Any, coll: str, kind: str) -> Any:
        """Accept an id, a name, or an item object for ``ref``; return the id."""
        if hasattr(ref, "id") and not isinstance(ref, str):
            ref = ref.id
        if not isinstance(ref, str):
            return ref
        items = self._doc[coll]
        if any(it["id"] == ref for it in items):
            return ref
        by_name = [it["id"] for it in items if str(it.get("name", it.get("title", ""))).casefold() == ref.casefold()]
        if len(by_name) == 1:
            return by_name[0]
        if len(by_name) > 1:
            raise OperationError(f"{kind}: {len(by_name)} {coll} are named {ref!r}; pass the id instead ({', '.join(by_name)})")
        return ref  # unknown: the mutation layer gives the error with the list of ids

    # -- the mutation path -----------------------------------------------
    def apply(self, op: dict) -> str:
        """Apply one operation (see ``docs/FORMAT.md``); return its label ("" if nothing changed).

        Raises :class:`OperationError` (a ``ValueError``) and changes nothing if the operation is invalid.
        """
        from .document.operations import run_op

        prims, label = run_op(self._doc, op)
        if not prims:
            return ""
        day = today()
        if self._doc["modified"] != day:
            stamp = SetTop("modified", self._doc["modified"], day)
            stamp.apply(self._doc)
            prims = [*prims, stamp]
        self._history.record(Entry(label, prims))
        self._changed("op", label, prims)
        return label

    def on_change(self, callback: Callable[[Journey], None], *, weak: bool = False) -> Callable[[], None]:
        """Call ``callback(journey)`` after every change (edit, undo, redo, restore).

        ``journey.last_change`` then says what happened: ``source`` ("op", "undo", "redo",
        "restore"), ``label``, the ``ids`` and ``collections`` touched, and ``edits``: the
        primitive edits (``document.history``) in the order they were applied to the
        document (an undo's are the inverses), which is what views send on as a delta.
        Returns a function that unsubscribes.
        A listener that raises is reported as a ``RuntimeWarning``; the edit stands.
        ``weak=True`` holds a bound method's object weakly (views that may be forgotten).
        """
        return self._listeners.connect(callback, weak=weak)

    def _changed(self, source: str, label: str, prims: list, applied: list | None = None) -> None:
        touched: set[str] = set()
        collections: set[str] = set()
        for p in prims:
            if isinstance(p, ReplaceDoc):
                collections.add("*")
            elif isinstance(p, SetTop):
                collections.add(p.key)
            else:
                collections.add(p.coll)
                for it in (getattr(p, "item", None), getattr(p, "before", None), getattr(p, "after", None)):
                    if it:
                        touched.add(it["id"])
        self.last_change = {"source": source, "label": label, "ids": touched, "collections": collections,
                            "edits": prims if applied is None else applied}
        self._listeners.emit(self, stacklevel=4)

    def undo(self) -> None:
        """Undo the last change (no-op when there is nothing to undo)."""
        entry = self._history.pop_undo()
        if entry is not None:
            revert_all(self._doc, entry.prims)
            self._changed("undo", entry.label, entry.prims, [p.inverse() for p in reversed(entry.prims)])

    def redo(self) -> None:
        """Redo the last undone change."""
        entry = self._history.pop_redo()
        if entry is not None:
            apply_all(self._doc, entry.prims)
            self._changed("redo", entry.label, entry.prims)

    @property
    def can_undo(self) -> bool:
        return self._history.can_undo

    @property
    def can_redo(self) -> bool:
        return self._history.can_redo

    def history(self) -> list[str]:
        """Labels of the changes that can be undone, oldest first."""
        return self._history.labels

    def checkpoint(self, name: str) -> None:
        """Name the current state ("draft for the workshop") to restore it later.

        :meth:`save` keeps checkpoints beside the file (``<file>.drafts.json``) and
        :meth:`load` brings them back, so drafts survive a restart.
        """
        if not isinstance(name, str) or not name.strip():
            raise JourneyError("checkpoint name must be a non-empty string")
        self._history.checkpoints[name] = Checkpoint(name, datetime.now(timezone.utc), copy.deepcopy(self._doc))

    def checkpoints(self) -> list[Checkpoint]:
        """Named checkpoints, oldest first."""
        return sorted(self._history.checkpoints.values(), key=lambda c: c.created)

    def restore(self, name: str) -> None:
        """Go back to a checkpoint; the restore itself can be undone."""
        cp = self._history.checkpoints.get(name)
        if cp is None:
            known = ", ".join(repr(n) for n in self._history.checkpoints) or "none yet"
            raise JourneyError(f"no checkpoint named {name!r}; checkpoints: {known}")
        if cp.document == self._doc:
            return
        self._replace_document(copy.deepcopy(cp.document), f"restored checkpoint {name!r}", "restore")

    def _replace_document(self, after: dict, label: str, source: str) -> None:
        """Replace the whole document as one undoable step (undo gives back exactly the document before)."""
        prim = ReplaceDoc(copy.deepcopy(self._doc), after)
        prim.apply(self._doc)
        self._history.record(Entry(label, [prim]))
        self._changed(source, label, [prim])

    def merge_from(self, other: Any, *, base: Any = None) -> list[Conflict]:
        """Merge a colleague's copy (a Journey, a document dict or a path) into this map.

        ``base`` is the version you both started from (a Journey, dict or path); without
        it, items on both sides count as the same and every difference is a conflict. The
        merge is one undoable step; conflicts keep this map's value, are written onto the
        map as comments ("merge conflict: ...") and returned. Rules: :func:`journeywidget.merge`.
        Merging the file at a path you then :meth:`save` to is how to settle a save that was
        refused because someone else saved the file.

        >>> import journeywidget as jw
        >>> j = jw.Journey("Shop"); s = j.add_stage("Browse"); start = j.to_dict()
        >>> mine = jw.Journey.from_dict(start); _ = mine.add_stage("Pay")
        >>> j.merge_from(mine, base=start), [s.name for s in j.stages]
        ([], ['Browse', 'Pay'])
        >>> j.undo(); [s.name for s in j.stages]
        ['Browse']
        """
        from .collab import as_document
        from .document.io import MAX_FILE_BYTES, read_file_digest
        from .document.merge import merge_documents

        if isinstance(other, (str, os.PathLike)):
            theirs, sha = read_file_digest(other, MAX_FILE_BYTES)
            self._on_disk[os.path.realpath(other)] = sha  # merged in: saving there is no longer a conflict
        else:
            theirs = as_document(other, "other")
        outcome = merge_documents(as_document(base, "base", optional=True), self._doc, theirs)
        after = outcome.document
        if after == self._doc:
            return outcome.conflicts
        after["modified"] = max(after["modified"], today())
        name = str(other) if isinstance(other, (str, os.PathLike)) else repr(theirs["title"])
        n = len(outcome.conflicts)
        self._replace_document(after, f"merged {name}" + (f" ({n} conflict{'s' if n != 1 else ''})" if n else ""), "merge")
        return outcome.conflicts

    def diff(self, other: Journey | dict) -> list[Change]:
        """What changed from this journey to ``other``, in words.

        >>> import journeywidget as jw
        >>> a = jw.Journey("Demo"); s = a.add_stage("Start")
        >>> b = jw.Journey.from_dict(a.to_dict()); b.update(s, name="Begin")
        >>> [str(c) for c in a.diff(b)]
        ["renamed stage 'Start' to 'Begin'"]
        """
        from .document.diff import diff_documents

        other_doc = other._doc if isinstance(other, Journey) else other
        return diff_documents(self._doc, other_doc)

    def check(self) -> list[Suggestion]:
        """What a good map still lacks, each with a hint. Empty when nothing is missing."""
        from .document.guidance import check

        return check(self._doc)

    # -- scripting conveniences (all go through apply) --------------------
    def _add(self, kind: str, item: dict, index: int | None) -> str:
        item = _plain(item)
        before = {it["id"] for it in self._doc[_COLL[kind]]}
        self.apply({"op": "add", "kind": kind, "item": item, "index": index})
        if "id" in item and item["id"]:
            return item["id"]
        return next(it["id"] for it in self._doc[_COLL[kind]] if it["id"] not in before)

    def add_persona(self, persona: Any, *, index: int | None = None, **fields: Any) -> str:
        """Add a persona (a name, a dict or a :class:`Persona`); returns its id."""
        item = {"name": persona} if isinstance(persona, str) else _as_dict(persona)
        return self._add("persona", {**item, **fields}, index)

    def add_goal(self, goal: Any, *, index: int | None = None, **fields: Any) -> str:
        """Add a goal/KPI: ``j.add_goal("Checkout conversion", target=60, unit="%")``."""
        item = {"name": goal} if isinstance(goal, str) else _as_dict(goal)
        return self._add("goal", {**item, **fields}, index)

    def add_stage(self, stage: Any, *, index: int | None = None, **fields: Any) -> str:
        """Add a stage (a name, a dict or a :class:`Stage`) at ``index`` (default: last); returns its id."""
        item = {"name": stage} if isinstance(stage, str) else _as_dict(stage)
        return self._add("stage", {**item, **fields}, index)

    def add_lane(self, kind: Any, title: str | None = None, *, index: int | None = None, **fields: Any) -> str:
        """Add a lane: ``j.add_lane("backstage")`` or ``j.add_lane("text", "Policies")``."""
        item = {"kind": kind} if isinstance(kind, str) else _as_dict(kind)
        if title is not None:
            item["title"] = title
        elif not item.get("title"):
            item["title"] = LANE_TITLES.get(item.get("kind", ""), "")
        return self._add("lane", {**item, **fields}, index)

    def add_touchpoint(
        self,
        name: Any,
        stage: Any = None,
        channel: str | None = None,
        emotion: float | None = None,
        *,
        index: int | None = None,
        **fields: Any,
    ) -> str:
        """Add a touchpoint to a stage (id or name); returns its id.

        >>> import journeywidget as jw
        >>> j = jw.Journey("Demo"); _ = j.add_stage("Purchase")
        >>> j.add_touchpoint("Checkout page", stage="Purchase", channel="web", emotion=-1)
        'checkout-page'
        """
        item = {"name": name} if isinstance(name, str) else _as_dict(name)
        if stage is not None:
            item["stage"] = self._resolve(stage, "stages", "stage")
        elif "stage" not in item:
            if not self._doc["stages"]:
                raise OperationError("touchpoint.stage: the journey has no stages yet; add one with j.add_stage(name)")
            raise OperationError("touchpoint.stage: say which stage, e.g. stage='decision'")
        if channel is not None:
            item["channel"] = channel
        if emotion is not None:
            item["emotion"] = emotion
        return self._add("touchpoint", {**item, **fields}, index)

    def add_card(self, text: str, *, lane: Any, stage: Any, index: int | None = None) -> str:
        """Add a card (sticky note) to a lane under a stage; returns its id."""
        item = {
            "text": text,
            "lane": self._resolve(lane, "lanes", "lane"),
            "stage": self._resolve(stage, "stages", "stage"),
        }
        return self._add("card", item, index)

    def comment(self, target: str, text: str, *, author: str = "") -> str:
        """Comment on any item (or the journey itself); returns the comment's id."""
        return self._add("comment", {"target": target, "text": text, "author": author}, None)

    def resolve(self, comment_id: str, resolved: bool = True) -> None:
        """Mark a comment resolved (or reopen it with ``resolved=False``)."""
        self.update(comment_id, resolved=resolved)

    def update(self, id: Any, **fields: Any) -> None:
        """Change fields of an item, or of the journey itself (pass ``j.id``).

        >>> import journeywidget as jw
        >>> j = jw.Journey("Demo"); s = j.add_stage("Start")
        >>> j.update(s, name="Begin", icon="🚀")
        >>> j[s].name
        'Begin'
        """
        item_id = getattr(id, "id", id)
        if "stage" in fields and item_id != self._doc["id"]:
            fields["stage"] = self._resolve(fields["stage"], "stages", "stage")
        if "lane" in fields:
            fields["lane"] = self._resolve(fields["lane"], "lanes", "lane")
        for key, value in list(fields.items()):
            if hasattr(value, "model_dump"):
                fields[key] = value.model_dump(mode="json")
        self.apply({"op": "update", "id": item_id, "fields": _plain(fields)})

    def remove(self, id: Any) -> None:
        """Remove an item; a stage takes its touchpoints and cards with it. Undo brings all back."""
        self.apply({"op": "remove", "id": getattr(id, "id", id)})

    def move_touchpoint(self, id: Any, stage: Any = None, index: int | None = None) -> None:
        """Move a touchpoint to another stage and/or position within its stage."""
        op = {"op": "move", "id": getattr(id, "id", id), "index": index}
        if stage is not None:
            op["stage"] = self._resolve(stage, "stages", "stage")
        self.apply(op)

    def move_card(self, id: Any, stage: Any = None, lane: Any = None, index: int | None = None) -> None:
        """Move a card to another stage and/or lane and/or position."""
        op: dict[str, Any] = {"op": "move", "id": getattr(id, "id", id), "index": index}
        if stage is not None:
            op["stage"] = self._resolve(stage, "stages", "stage")
        if lane is not None:
            op["lane"] = self._resolve(lane, "lanes", "lane")
        self.apply(op)

    def move_stage(self, id: Any, index: int) -> None:
        """Move a stage to position ``index`` (0 is first, -1 last)."""
        self.apply({"op": "move", "id": self._resolve(id, "stages", "stage"), "index": index})

    def move_lane(self, id: Any, index: int) -> None:
        """Move a lane to position ``index``."""
        self.apply({"op": "move", "id": self._resolve(id, "lanes", "lane"), "index": index})

    def batch(self, ops: list[dict], label: str | None = None) -> str:
        """Apply several operations as one undoable step (all or nothing)."""
        op: dict[str, Any] = {"op": "batch", "ops": ops}
        if label:
            op["label"] = label
        return self.apply(op)

    # -- reports -----------------------------------------------------------
    def to_html(self, path: str | os.PathLike | None = None, **kwargs: Any) -> str:
        """Write a self-contained, offline HTML page of the map; see :func:`journeywidget.export.to_html`."""
        from .export import to_html

        return to_html(self, path, **kwargs)

    def to_svg(self, path: str | os.PathLike | None = None, **kwargs: Any) -> str:
        """The map as SVG (written to ``path`` if given); see :func:`journeywidget.export.to_svg`."""
        from .export import to_svg

        return to_svg(self, path, **kwargs)

    def to_png(self, path: str | os.PathLike | None = None, *, scale: float = 2, **kwargs: Any) -> bytes:
        """The map as PNG, without a browser (needs ``journeywidget[export]``)."""
        from .export import to_png

        return to_png(self, path, scale=scale, **kwargs)

    def to_pdf(self, path: str | os.PathLike | None = None, **kwargs: Any) -> bytes:
        """The map as a one-page PDF, without a browser (needs ``journeywidget[export]``)."""
        from .export import to_pdf

        return to_pdf(self, path, **kwargs)

    def to_markdown(self, **kwargs: Any) -> str:
        """The map as Markdown tables (one row per touchpoint)."""
        from .export import to_markdown

        return to_markdown(self, **kwargs)

    def to_csv(self, path: str | os.PathLike | None = None, **kwargs: Any) -> Any:
        """One row per touchpoint: stage, channel, emotion, metrics."""
        from .export import to_csv

        return to_csv(self, path, **kwargs)

    def to_excel(self, path: str | os.PathLike, **kwargs: Any) -> Any:
        """One row per touchpoint, as an Excel sheet (needs ``openpyxl``)."""
        from .export import to_excel

        return to_excel(self, path, **kwargs)

    def to_mermaid(self) -> str:
        """The map as Mermaid ``journey`` diagram text."""
        from .export import to_mermaid

        return to_mermaid(self)

    @classmethod
    def from_mermaid(cls, text: str, **kwargs: Any) -> Journey:
        """A map from Mermaid ``journey`` diagram text (see :func:`journeywidget.export.from_mermaid`)."""
        from .export import from_mermaid

        return from_mermaid(text, **kwargs)

    @classmethod
    def from_table(cls, source: Any, **kwargs: Any) -> Journey:
        """A map from a CSV/Excel table or DataFrame, one row per touchpoint (see
        :func:`journeywidget.export.from_table` for the columns, ``encoding=`` and the size limits)."""
        from .export import from_table

        return from_table(source, **kwargs)

    # -- display ------------------------------------------------------------
    def widget(self, **kwargs: Any) -> Any:
        """An editable :class:`journeywidget.JourneyWidget` on this journey."""
        from .widget import JourneyWidget

        return JourneyWidget(self, **kwargs)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict:
        try:
            from .export import mimebundle_fallback
        except ImportError:  # pragma: no cover - export not available
            return {"text/plain": repr(self)}
        bundle = mimebundle_fallback(self, png=False)
        bundle["text/plain"] = repr(self)
        return bundle


_COLL = {
    "persona": "personas", "goal": "goals", "stage": "stages", "lane": "lanes",
    "touchpoint": "touchpoints", "card": "cards", "comment": "comments",
}
