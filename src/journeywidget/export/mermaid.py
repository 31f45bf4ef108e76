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

from ._common import (
    CHANNEL_LABELS,
    channel_label,
    clean_text,
    is_number,
    journey_error,
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


_DIRECTIVE = re.compile(r"%%\{.*?\}%%", re.S)


def from_mermaid(text: str, *, title: str | None = None) -> Any:
    """Build a :class:`jw.Journey` from Mermaid ``journey`` text.

    Sections become stages, tasks touchpoints, scores emotions (1..5 onto the
    journey's scale), actors that name a channel the channel, and the other
    actors personas. ``%% journeywidget:`` comments written by :func:`to_mermaid`
    restore ids, exact emotions, channels and names.
    """
    from ..core.ids import is_valid_id, slugify, unique_id
    from ..journey import Journey

    if not isinstance(text, str):
        raise TypeError("from_mermaid takes the diagram text")
    src = _DIRECTIVE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
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
    errors: list[str] = []
    for lineno, line in enumerate(raw_lines, start=1):
        s = line.strip()
        if not s:
            continue
        if s.startswith("%%"):
            if s.startswith(_META.strip()) or s.startswith("%%journeywidget:"):
                payload = s.split(":", 1)[1].strip()
                try:
                    m = json.loads(payload)
                except ValueError:
                    m = None
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
            raise journey_error(f"line {lineno}: a Mermaid journey starts with 'journey', got {s[:40]!r}")
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
                errors.append(f"line {lineno}: the score {score_text!r} is not a number")
                continue
            if current is None:
                current = {"name": "Journey", "meta": None, "tps": []}
                stages.append(current)
            tp = {"name": name.strip(), "score": score, "actors": [a for a in actors if a], "meta": None}
            current["tps"].append(tp)
            last = tp
        else:
            errors.append(f"line {lineno}: cannot read {s[:60]!r} (expected title, section or 'task: score: actors')")
    if errors:
        raise journey_error("cannot read the Mermaid journey:\n  " + "\n  ".join(errors[:30]))
    if not started:
        raise journey_error("not a Mermaid journey: the text has no 'journey' line")

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
    doc = Journey(final_title[:300], **kwargs).to_dict()
    lo, hi = scale_of(doc)
    taken: set[str] = {doc["id"]} | {l["id"] for l in doc["lanes"]}
    persona_names: list[str] = []
    meta_personas = [p for p in head_meta.get("personas") or [] if isinstance(p, str)]
    safe_personas = {_safe(p, actor=True): p for p in meta_personas}

    for st in stages:
        m = st["meta"] or {}
        name = st["name"]
        if isinstance(m.get("name"), str) and _safe(m["name"]) == name:
            name = m["name"]
        sid = m.get("stage") if isinstance(m.get("stage"), str) and is_valid_id(m["stage"]) and m["stage"] not in taken else None
        sid = sid or unique_id(slugify(name, fallback="stage"), taken)
        taken.add(sid)
        doc["stages"].append({"id": sid, "name": name[:300] or "Stage", "description": "", "customer_goal": "",
                              "milestone": False, "icon": ""})
        for t in st["tps"]:
            tm = t["meta"] or {}
            tname = t["name"] or "Step"
            if isinstance(tm.get("name"), str) and _safe(tm["name"]) == tname:
                tname = tm["name"]
            tid = tm.get("touchpoint") if isinstance(tm.get("touchpoint"), str) and is_valid_id(tm["touchpoint"]) and tm["touchpoint"] not in taken else None
            tid = tid or unique_id(slugify(tname, fallback="touchpoint"), taken)
            taken.add(tid)
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
                if pname and pname not in persona_names:
                    persona_names.append(pname)
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
    for pname in persona_names:
        if pname == "Customer" and "personas" in head_meta and "Customer" not in meta_personas:
            continue  # the stand-in actor to_mermaid writes when a map has no persona
        pid = unique_id(slugify(pname, fallback="persona"), taken)
        taken.add(pid)
        doc["personas"].append({"id": pid, "name": pname[:300]})
    return Journey.from_dict(doc)
