"""Mermaid ``journey`` diagrams: write a map as one, read one back.

>>> import journeywidget as jw
>>> text = to_mermaid(jw.Journey.from_template("saas-onboarding"))
>>> text.splitlines()[0], len(from_mermaid(text).stages)
('journey', 6)

Mermaid's journey syntax::

    journey
        title My working day
        section Go to work
          Make tea: 5: Me, Web

Each section is a stage, each task a touchpoint; the score 1..5 is the
touchpoint's emotion mapped from the journey's scale (-2..2 by default); the
actors are the persona names followed by the channel. Mermaid has no room for
ids, exact emotions, custom channels or names with ``: ; #``, so
:func:`to_mermaid` adds a ``%% journeywidget: {...}`` comment line (ignored
by Mermaid) after each line, and :func:`from_mermaid` uses it where the
visible text still agrees with it. Diagrams written by hand or by other tools
load too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from ..core.gcpause import paused_gc
from . import limits
from ._common import (
    CHANNEL_LABELS,
    channel_label,
    clean_text,
    is_number,
    scale_of,
    to_doc,
    touchpoints_by_stage,
)

__all__ = ["to_mermaid", "from_mermaid"]

_META = "%% journeywidget: "
_KNOWN_CHANNELS = {}
for _cid, _lab in CHANNEL_LABELS.items():
    for _k in (_cid, _lab.lower(), _cid.replace("_", " "), _cid.replace("_", "-")):
        _KNOWN_CHANNELS[_k] = _cid
_KNOWN_CHANNELS.update({"e-mail": "email", "mobile": "mobile_app", "app": "mobile_app"})


def _safe(text: Any, *, actor: bool = False) -> str:
    """Text Mermaid can carry on a journey line: no ``: ; # %%``, no newlines, no ``< >``."""
    s = clean_text(text)
    s = re.sub(r"\s+", " ", s).strip()
    s = s.replace(":", "\u02d0").replace(";", "\uff1b").replace("#", "\uff03").replace("<", "\u2039").replace(">", "\u203a")
    while "%%" in s:
        s = s.replace("%%", "%")
    s = s.replace("{", "(").replace("}", ")") if s.startswith("%") else s
    if actor:
        s = s.replace(",", "\u201a")
    return s or "\u2014"


def _meta(obj: Mapping) -> str:
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("%", "\\u0025").replace("<", "\\u003c").replace(">", "\\u003e")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return _META + text


def _score(e: Any, lo: float, hi: float) -> int:
    if not is_number(e):
        return 3
    return max(1, min(5, int(round(1 + (e - lo) / (hi - lo) * 4))))


def to_mermaid(journey: Any, *, meta: bool = True, indent: str = "    ") -> str:
    """The map as Mermaid ``journey`` text (``meta=False`` leaves out the journeywidget comment lines)."""
    doc = to_doc(journey)
    lo, hi = scale_of(doc)
    personas = [_safe(p.get("name"), actor=True) for p in doc.get("personas") or [] if p.get("name")]
    if not personas:
        personas = ["Customer"]
    lines = ["journey", f"{indent}title {_safe(doc.get('title') or 'Journey')}"]
    if meta:
        lines.append(indent + _meta({
            "v": 1, "id": doc.get("id"), "title": doc.get("title"), "journey_type": doc.get("journey_type"),
            "emotion_scale": doc.get("emotion_scale"), "personas": [p.get("name") for p in doc.get("personas") or []],
        }))
    by_stage = touchpoints_by_stage(doc)
    for s in doc.get("stages") or []:
        lines.append(f"{indent}section {_safe(s.get('name'))}")
        if meta:
            lines.append(indent + _meta({"stage": s.get("id"), "name": s.get("name")}))
        for tp in by_stage.get(s.get("id"), []):
            actors = list(personas)
            if tp.get("channel"):
                actors.append(_safe(channel_label(tp["channel"]), actor=True))
            lines.append(f"{indent * 2}{_safe(tp.get('name'))}: {_score(tp.get('emotion'), lo, hi)}: {', '.join(actors)}")
            if meta:
                lines.append(indent * 2 + _meta({
                    "touchpoint": tp.get("id"), "name": tp.get("name"), "channel": tp.get("channel"),
                    "emotion": tp.get("emotion"), "moment_of_truth": bool(tp.get("moment_of_truth")),
                }))
    return "\n".join(lines) + "\n"


def _drop_directives(src: str) -> str:
    """``src`` without Mermaid ``%%{ ... }%%`` directives (each from ``%%{`` to the next ``}%%``),
    keeping their line breaks so line numbers stay true. One left-to-right pass: linear,
    where the regular expression it replaces was quadratic on many unclosed ``%%{``."""
    out: list[str] = []
    pos = 0
    while True:
        start = src.find("%%{", pos)
        if start < 0:
            break
        end = src.find("}%%", start + 3)
        if end < 0:
            break  # no directive closes after this one, so none after it either
        out.append(src[pos:start])
        out.append("\n" * src.count("\n", start, end))
        pos = end + 3
    out.append(src[pos:])
    return "".join(out)


def _read_meta(payload: str, lineno: int) -> Any:
    """The JSON of a ``%% journeywidget:`` comment; ``None`` when it is not JSON (a hand edit)."""
    depth = limits.MAX_META_DEPTH
    openers = payload.count("[") + payload.count("{")  # the depth is at most this: skip the scan when it is small
    if openers > depth and limits.json_depth(payload, depth) > depth:
        from ..core.errors import InputLimitError

        raise InputLimitError(
            f"the journeywidget comment is nested more than {depth} levels deep; "
            "to_mermaid never writes that. Delete the line (the diagram reads without it)",
            location=f"line {lineno}", field="%% journeywidget",
        )
    try:
        return json.loads(payload)
    except (ValueError, RecursionError):
        return None


def from_mermaid(text: str, *, title: str | None = None, max_chars: int | None = None) -> Any:
    r"""Build a :class:`jw.Journey` from Mermaid ``journey`` text.

    Sections become stages, tasks touchpoints, scores emotions (1..5 onto the
    journey's scale), actors that name a channel the channel, and the other
    actors personas. ``%% journeywidget:`` comments written by :func:`to_mermaid`
    restore ids, exact emotions, channels and names.

    Reading is linear in the text; text longer than ``max_chars`` (default
    :data:`journeywidget.export.limits.MAX_MERMAID_CHARS`, 32 Mi characters) is
    refused. Every problem is a ``jw.SourceError`` naming the line.

    >>> j = from_mermaid("journey\n  section Buy\n    Pay: 5: Me, Web")
    >>> [(t.name, t.emotion, t.channel) for t in j.touchpoints], [p.name for p in j.personas]
    ([('Pay', 2, 'web')], ['Me'])
    """
    with paused_gc():  # a big diagram makes many small objects and no cycles: see core/gcpause.py
        return _from_mermaid(text, title=title, max_chars=max_chars)


def _from_mermaid(text: str, *, title: str | None, max_chars: int | None) -> Any:
    from ..core.errors import DocumentError, InputLimitError, SourceError
    from ..core.ids import IdAllocator, is_valid_id, slugify
    from ..document.io import validate_document
    from ..journey import Journey
    from .limits import MAX_MERMAID_CHARS, map_capacity

    if not isinstance(text, str):
        raise TypeError("from_mermaid takes the diagram text")
    limit = MAX_MERMAID_CHARS if max_chars is None else max_chars
    if len(text) > limit:
        raise InputLimitError(f"the diagram has {len(text):,} characters, over the limit of {limit:,}; "
                              "pass max_chars= a larger number to read it", limit="max_chars")
    src = _drop_directives(text.replace("\r\n", "\n").replace("\r", "\n"))
    raw_lines = src.split("\n")
    # front matter (--- ... ---) at the very top
    i = 0
    while i < len(raw_lines) and not raw_lines[i].strip():
        i += 1
    if i < len(raw_lines) and raw_lines[i].strip() == "---":
        j = i + 1
        while j < len(raw_lines) and raw_lines[j].strip() != "---":
            j += 1
        for k in range(i, min(j + 1, len(raw_lines))):
            raw_lines[k] = ""
    started = False
    head_meta: dict = {}
    doc_title = None
    description = ""
    stages: list[dict] = []  # {"name", "meta", "tps": [...]}
    current: dict | None = None
    last: dict | None = None
    errors: list[tuple[int, str | None, str]] = []  # (line, field, message)
    max_stages, max_tps = map_capacity("stages"), map_capacity("touchpoints")
    n_tasks = 0
    for lineno, line in enumerate(raw_lines, start=1):
        s = line.strip()
        if not s:
            continue
        if s.startswith("%%"):
            if s.startswith(_META.strip()) or s.startswith("%%journeywidget:"):
                m = _read_meta(s.split(":", 1)[1].strip(), lineno)
                if isinstance(m, dict):
                    if last is None or (last is head_meta):
                        head_meta.update(m)
                    else:
                        last["meta"] = m
            continue
        if not started:
            if s.split()[0] == "journey":
                started = True
                last = head_meta
                continue
            raise SourceError(f"a Mermaid journey starts with 'journey', got {s[:40]!r}", location=f"line {lineno}")
        word = s.split(None, 1)[0]
        rest = s[len(word):].strip()
        if word == "title":
            doc_title = rest
            last = head_meta
        elif word.startswith("accTitle"):
            doc_title = doc_title or s.split(":", 1)[-1].strip()
        elif word.startswith("accDescr"):
            description = s.split(":", 1)[-1].strip().strip("{}").strip()
        elif word == "section":
            if len(stages) >= max_stages:
                raise SourceError(f"a map holds at most {max_stages:,} stages and this is section {max_stages + 1:,}",
                                  location=f"line {lineno}", field="section")
            current = {"name": rest or "Section", "meta": None, "tps": []}
            stages.append(current)
            last = current
        elif ":" in s:
            name, _, data = s.partition(":")
            parts = data.split(":", 1)
            score_text = parts[0].strip()
            actors = [a.strip() for a in parts[1].split(",")] if len(parts) > 1 else []
            try:
                score = float(score_text) if score_text else None
            except ValueError:
                errors.append((lineno, "score", f"line {lineno}: the score {score_text[:40]!r} is not a number"))
                continue
            n_tasks += 1
            if n_tasks > max_tps:
                raise SourceError(f"a map holds at most {max_tps:,} touchpoints and this is task {n_tasks:,}",
                                  location=f"line {lineno}", field="task")
            if current is None:
                current = {"name": "Journey", "meta": None, "tps": []}
                stages.append(current)
            tp = {"name": name.strip(), "score": score, "actors": [a for a in actors if a], "meta": None}
            current["tps"].append(tp)
            last = tp
        else:
            errors.append((lineno, None,
                           f"line {lineno}: cannot read {s[:60]!r} (expected title, section or 'task: score: actors')"))
    if errors:
        more = f"\n  ... and {len(errors) - 30} more" if len(errors) > 30 else ""
        raise SourceError("cannot read the Mermaid journey:\n  " + "\n  ".join(m for _, _, m in errors[:30]) + more,
                          location=f"line {errors[0][0]}", field=errors[0][1])
    if not started:
        raise SourceError("not a Mermaid journey: the text has no 'journey' line")

    meta_title = head_meta.get("title") if isinstance(head_meta.get("title"), str) else None
    final_title = title or (meta_title if meta_title and _safe(meta_title) == (doc_title or "") else None) or doc_title
    final_title = final_title or "Imported journey"
    kwargs: dict[str, Any] = {}
    if isinstance(head_meta.get("id"), str) and is_valid_id(head_meta["id"]):
        kwargs["id"] = head_meta["id"]
    if head_meta.get("journey_type") in ("purchase", "onboarding", "support", "retention", "lead_generation", "engagement", "custom"):
        kwargs["journey_type"] = head_meta["journey_type"]
    scale = head_meta.get("emotion_scale")
    if isinstance(scale, dict) and is_number(scale.get("min")) and is_number(scale.get("max")):
        kwargs["emotion_scale"] = scale
    if description:
        kwargs["description"] = description
    try:
        doc = Journey(final_title[:300], **kwargs).to_dict()
    except DocumentError as e:  # a hand-edited comment's emotion_scale, an over-long accDescr...
        raise SourceError(str(e).replace("invalid journey document", "the diagram's header gives an invalid map", 1),
                          field=e.paths[0] if e.paths else None) from None
    lo, hi = scale_of(doc)
    ids = IdAllocator({doc["id"]} | {l["id"] for l in doc["lanes"]})
    persona_names: dict[str, None] = {}  # ordered set: membership in constant time
    meta_personas = [p for p in head_meta.get("personas") or [] if isinstance(p, str)]
    safe_personas = {_safe(p, actor=True): p for p in meta_personas}

    for st in stages:
        m = st["meta"] or {}
        name = st["name"]
        if isinstance(m.get("name"), str) and m["name"] != name and _safe(m["name"]) == name:
            name = m["name"]
        sid = m.get("stage") if isinstance(m.get("stage"), str) and is_valid_id(m["stage"]) and m["stage"] not in ids else None
        if sid:
            ids.add(sid)
        else:
            sid = ids.claim(slugify(name, fallback="stage"))
        doc["stages"].append({"id": sid, "name": name[:300] or "Stage", "description": "", "customer_goal": "",
                              "milestone": False, "icon": ""})
        for t in st["tps"]:
            tm = t["meta"] or {}
            tname = t["name"] or "Step"
            if isinstance(tm.get("name"), str) and tm["name"] != tname and _safe(tm["name"]) == tname:
                tname = tm["name"]
            tid = tm.get("touchpoint") if isinstance(tm.get("touchpoint"), str) and is_valid_id(tm["touchpoint"]) and tm["touchpoint"] not in ids else None
            if tid:
                ids.add(tid)
            else:
                tid = ids.claim(slugify(tname, fallback="touchpoint"))
            actors = list(t["actors"])
            # channel: the meta's when its label is still the last actor; else an actor naming a known channel
            channel = None
            found = False
            if "channel" in tm and (tm["channel"] is None or isinstance(tm["channel"], str)):
                mch = tm["channel"]
                if mch:
                    label = _safe(channel_label(mch), actor=True)
                    if label in actors:  # the channel is the last actor to_mermaid writes
                        channel, found = mch, True
                        del actors[len(actors) - 1 - actors[::-1].index(label)]
                elif not any(a.lower() in _KNOWN_CHANNELS for a in actors):
                    found = True
            if not found:
                for a in reversed(actors):
                    if a.lower() in _KNOWN_CHANNELS:
                        channel = _KNOWN_CHANNELS[a.lower()]
                        actors.remove(a)
                        break
            for a in actors:
                pname = safe_personas.get(a, a)
                if pname:
                    persona_names.setdefault(pname, None)
            # emotion: the meta's exact value when the score still matches it
            score = t["score"]
            emotion: Any = None
            if "emotion" in tm and (tm["emotion"] is None or is_number(tm["emotion"])) and (
                score is None or _score(tm["emotion"], lo, hi) == score
            ):
                emotion = tm["emotion"]
            elif score is not None:
                sc = max(1.0, min(5.0, score))
                emotion = lo + (sc - 1) / 4 * (hi - lo)
                emotion = int(emotion) if float(emotion).is_integer() else round(emotion, 3)
            doc["touchpoints"].append({
                "id": tid, "name": tname[:300], "stage": sid, "channel": channel, "emotion": emotion,
                "moment_of_truth": bool(tm.get("moment_of_truth")) if isinstance(tm.get("moment_of_truth"), bool) else False,
                "metric": "", "description": "", "pain_points": [], "opportunities": [], "quotes": [], "owner": "",
                "evidence": [], "event_keys": [], "tags": [],
            })
    max_personas = map_capacity("personas")
    for pname in persona_names:
        if pname == "Customer" and "personas" in head_meta and "Customer" not in meta_personas:
            continue  # the stand-in actor to_mermaid writes when a map has no persona
        if len(doc["personas"]) >= max_personas:
            raise SourceError(f"a map holds at most {max_personas:,} personas, and the tasks name more actors than "
                              "that (the actors after a task's second ':' become personas)", field="actors")
        pid = ids.claim(slugify(pname, fallback="persona"))
        doc["personas"].append({"id": pid, "name": pname[:300]})
    try:
        return Journey._from_canonical(validate_document(doc))
    except DocumentError as e:
        raise SourceError(str(e).replace("invalid journey document", "the diagram gives an invalid map", 1),
                          field=e.paths[0] if e.paths else None) from None
