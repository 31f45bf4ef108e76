"""Tables: Markdown report, CSV and Excel (one row per touchpoint), and import from a table.

>>> import journeywidget as jw
>>> j = jw.Journey.from_template("saas-onboarding")
>>> csv_text = to_csv(j, "map.csv")
>>> len(from_table("map.csv").touchpoints) == len(j.touchpoints)
True
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..core.gcpause import paused_gc
from ._common import (
    CHANNEL_LABELS,
    COMPUTED_LANES,
    LANE_TITLES,
    channel_label,
    clean_text,
    emotion_label,
    fmt_count,
    fmt_emotion,
    fmt_pct,
    fmt_target,
    fmt_value,
    is_number,
    plain,
    scale_of,
    stage_metrics,
    to_doc,
    to_payload,
    touchpoints_by_stage,
    tp_metrics,
)

__all__ = ["to_markdown", "to_csv", "to_excel", "from_table", "touchpoint_rows", "TABLE_COLUMNS"]

#: Columns written by :func:`to_csv` / :func:`to_excel` and read by :func:`from_table`
#: (metric columns follow them).
TABLE_COLUMNS = (
    "stage", "touchpoint", "channel", "emotion", "moment_of_truth", "description", "pain_points",
    "opportunities", "quotes", "event_keys", "metric", "owner", "evidence", "tags", "stage_id", "touchpoint_id",
)
_LIST_COLUMNS = ("pain_points", "opportunities", "quotes", "event_keys", "evidence", "tags")
_ALIASES = {
    "touchpoint": ("touchpoint", "name", "touchpoint_name", "step", "task"),
    "stage": ("stage", "stage_name", "phase", "section"),
    "touchpoint_id": ("touchpoint_id", "id"),
    "channel": ("channel",),
    "emotion": ("emotion", "score", "sentiment", "feeling"),
    "moment_of_truth": ("moment_of_truth", "mot", "moment"),
    "pain_points": ("pain_points", "pains", "pain_point"),
    "opportunities": ("opportunities", "opportunity"),
    "quotes": ("quotes", "quote"),
    "event_keys": ("event_keys", "events", "event_key", "event"),
    "description": ("description", "details", "notes"),
    "metric": ("metric", "kpi"),
    "owner": ("owner",),
    "evidence": ("evidence",),
    "tags": ("tags",),
    "stage_id": ("stage_id",),
}
_EVIDENCE = ("analytics", "survey", "interview", "support_logs", "assumption")
_INJECTION_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_NEGATIVE_NUMBER = re.compile(r"-(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_CSV_QUOTE = re.compile(r'[",\r\n]')


# ----------------------------------------------------------------- rows out
def _metric_columns(payload: Mapping | None, doc: Mapping) -> list[tuple[str, str, str]]:
    """(column, source, key): source 'tp', 'stage' or 'feedback'."""
    if not payload:
        return []
    cols: list[tuple[str, str, str]] = []
    seen: set[str] = set(TABLE_COLUMNS)
    tp_keys: list[str] = []
    for m in (payload.get("touchpoints") or {}).values():
        if isinstance(m, Mapping):
            for k, v in m.items():
                if k not in tp_keys and (is_number(v) or v is None or isinstance(v, str)):
                    tp_keys.append(k)
    order = sorted(tp_keys, key=lambda k: (k not in ("customers", "share"), tp_keys.index(k)))
    for k in order:
        col = k if k not in seen else f"metric_{k}"
        seen.add(col)
        cols.append((col, "tp", k))
    fb_keys: list[str] = []
    for m in (payload.get("feedback") or {}).values():
        if isinstance(m, Mapping):
            fb_keys += [k for k, v in m.items() if k not in fb_keys and (is_number(v) or v is None)]
    for k in fb_keys:
        col = f"feedback_{k}"
        seen.add(col)
        cols.append((col, "feedback", k))
    st_keys: list[str] = []
    for m in (payload.get("stages") or {}).values():
        if isinstance(m, Mapping):
            st_keys += [k for k, v in m.items() if k not in st_keys and (is_number(v) or v is None)]
    for k in st_keys:
        col = f"stage_{k}"
        seen.add(col)
        cols.append((col, "stage", k))
    return cols


def touchpoint_rows(journey: Any, metrics: Any = None) -> tuple[list[str], list[dict]]:
    """(columns, rows): one row per touchpoint in map order, plus a row for each stage without touchpoints.

    List fields are joined with ``"; "`` (as JSON when an item itself holds ``;``).
    """
    doc = to_doc(journey)
    payload = to_payload(metrics)
    mcols = _metric_columns(payload, doc)
    columns = list(TABLE_COLUMNS) + [c for c, _, _ in mcols]
    rows: list[dict] = []
    by_stage = touchpoints_by_stage(doc)
    for s in doc.get("stages") or []:
        sid = s.get("id")
        tps = by_stage.get(sid, [])
        base = {c: "" for c in columns}
        base.update(stage=s.get("name", ""), stage_id=sid)
        smet = stage_metrics(payload, sid)
        for col, src, key in mcols:
            if src == "stage":
                base[col] = plain(smet.get(key))
        if not tps:
            rows.append(base)
            continue
        for tp in tps:
            row = dict(base)
            row.update(
                touchpoint=tp.get("name", ""),
                touchpoint_id=tp.get("id", ""),
                channel=tp.get("channel") or "",
                emotion=tp.get("emotion") if is_number(tp.get("emotion")) else "",
                moment_of_truth="yes" if tp.get("moment_of_truth") else "no",
                description=tp.get("description", ""),
                metric=tp.get("metric", ""),
                owner=tp.get("owner", ""),
            )
            for col in _LIST_COLUMNS:
                row[col] = _join(tp.get(col) or [])
            tm = tp_metrics(payload, tp.get("id"))
            fm = (payload or {}).get("feedback", {}).get(tp.get("id")) or {}
            for col, src, key in mcols:
                if src == "tp":
                    row[col] = plain(tm.get(key))
                elif src == "feedback":
                    row[col] = plain(fm.get(key)) if isinstance(fm, Mapping) else None
            rows.append(row)
    for r in rows:
        for k, v in r.items():
            if v is None:
                r[k] = ""
    return columns, rows


def _join(items: Iterable[Any]) -> str:
    items = [clean_text(i) for i in items]
    if any(";" in i or "\n" in i or i.startswith("[") or i != i.strip() for i in items):
        return json.dumps(items, ensure_ascii=False)
    return "; ".join(items)


def _needs_guard(text: str) -> bool:
    """True if a spreadsheet could take ``text`` for a formula, now or once :func:`from_table`
    has removed one leading ``'``: after any leading apostrophes it starts with ``= + @``, a
    tab, CR or LF, or with ``-`` that does not begin a plain number."""
    s = text.lstrip("'")
    if not s.startswith(_INJECTION_START):
        return False
    return not (s[0] == "-" and _NEGATIVE_NUMBER.fullmatch(s))


def _defuse(value: Any) -> Any:
    """Keep spreadsheet programs from running a text cell as a formula (CSV injection, OWASP):
    such text gets a leading ``'``; numbers stay numbers."""
    if isinstance(value, str) and _needs_guard(value):
        return "'" + value
    return value


def _csv_cell(value: Any) -> str:
    """One CSV field: quoted when it holds a quote, comma, CR or LF (the csv module leaves a lone CR
    unquoted when lines end in LF, and readers that end rows at CR would split the cell there)."""
    s = "" if value is None else str(value)
    return '"' + s.replace('"', '""') + '"' if _CSV_QUOTE.search(s) else s


def to_csv(journey: Any, path: Any = None, *, metrics: Any = None) -> str:
    r"""The map as CSV text, one row per touchpoint (see :data:`TABLE_COLUMNS`); written to ``path`` when given.

    Every text cell and header a spreadsheet could run as a formula (starting with
    ``= + @``, a tab, a line break, or ``-`` not followed by a number) gets a leading
    ``'``; :func:`from_table` removes it again. Cells holding a quote, comma or line
    break are quoted. The file is written atomically.

    >>> import journeywidget as jw
    >>> j = jw.Journey("Demo"); s = j.add_stage("Buy")
    >>> _ = j.add_touchpoint("=HYPERLINK(1)", stage=s, description="line\r=cmd")
    >>> row = to_csv(j).split("\n")[1]
    >>> row.split(",")[:2], '"line\r=cmd"' in row
    (['Buy', "'=HYPERLINK(1)"], True)
    """
    columns, rows = touchpoint_rows(journey, metrics)
    lines = [",".join(_csv_cell(_defuse(c)) for c in columns)]
    for r in rows:
        lines.append(",".join(_csv_cell(_defuse(r[c])) for c in columns))
    text = "\n".join(lines) + "\n"
    if path is not None:
        from ..core.atomic import atomic_write

        atomic_write(path, text)
    return text


def to_excel(journey: Any, path: Any, *, metrics: Any = None) -> None:
    """Write the map as an .xlsx workbook: a "Touchpoints" sheet (one row per touchpoint) and a "Stages" sheet.

    Needs ``openpyxl`` (``pip install "journeywidget[excel]"``). Every text cell is
    stored as text, never as a formula.
    """
    try:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font, PatternFill
    except ImportError as e:
        raise ImportError('Excel export needs openpyxl: pip install "journeywidget[excel]"') from e
    doc = to_doc(journey)
    payload = to_payload(metrics)
    columns, rows = touchpoint_rows(doc, payload)
    wb = Workbook()
    ws = wb.active
    ws.title = "Touchpoints"
    head_font = Font(bold=True, color="FFFFFF")
    head_fill = PatternFill("solid", fgColor="4F46E5")

    def put(sheet, r, c, value):
        cell = sheet.cell(row=r, column=c)
        if isinstance(value, str):
            text = clean_text(value)
            # from_table drops one leading ' before a formula-like start (the CSV guard); keep the user's own
            cell.value = "'" + text if text[:1] == "'" and _needs_guard(text[1:]) else text
            cell.data_type = "s"  # never a formula
        else:
            cell.value = value
        return cell

    for c, name in enumerate(columns, 1):
        cell = put(ws, 1, c, name)
        cell.font, cell.fill = head_font, head_fill
    for r, row in enumerate(rows, 2):
        for c, name in enumerate(columns, 1):
            v = row[name]
            cell = put(ws, r, c, v)
            if name in ("share", "stage_conversion", "stage_dropoff_rate") and is_number(v):
                cell.number_format = "0.0%"
            if name in ("description", "pain_points", "opportunities", "quotes"):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths = {"stage": 22, "touchpoint": 30, "description": 40, "pain_points": 40, "opportunities": 40, "quotes": 40}
    from openpyxl.utils import get_column_letter

    for c, name in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(c)].width = widths.get(name, max(10, min(len(name) + 2, 24)))
    ws.freeze_panes = "C2"
    ws.auto_filter.ref = ws.dimensions

    st = wb.create_sheet("Stages")
    scols = ["stage", "stage_id", "customer_goal", "touchpoints"]
    skeys: list[str] = []
    for m in ((payload or {}).get("stages") or {}).values():
        if isinstance(m, Mapping):
            skeys += [k for k in m if k not in skeys]
    scols += skeys
    for c, name in enumerate(scols, 1):
        cell = put(st, 1, c, name)
        cell.font, cell.fill = head_font, head_fill
    by_stage = touchpoints_by_stage(doc)
    for r, s in enumerate(doc.get("stages") or [], 2):
        vals = [s.get("name", ""), s.get("id", ""), s.get("customer_goal", ""), len(by_stage.get(s.get("id"), []))]
        m = stage_metrics(payload, s.get("id"))
        vals += [plain(m.get(k)) if not isinstance(m.get(k), (dict, list)) else json.dumps(m.get(k)) for k in skeys]
        for c, v in enumerate(vals, 1):
            put(st, r, c, "" if v is None else v)
    st.column_dimensions["A"].width = 24
    st.column_dimensions["C"].width = 36
    wb.properties.title = clean_text(doc.get("title") or "")
    buf = io.BytesIO()
    wb.save(buf)
    from ..core.atomic import atomic_write

    atomic_write(path, buf.getvalue())


# ----------------------------------------------------------------- Markdown
def _md(text: Any) -> str:
    """Text safe in a Markdown table cell: HTML escaped, Markdown punctuation escaped, one line."""
    s = clean_text(text)
    s = s.replace("\\", "\\\\").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = re.sub(r"([`*_\[\]|~#!])", r"\\\1", s)
    s = s.replace("\r\n", "\n").replace("\r", "\n").strip().replace("\n", "<br>")
    return s


def to_markdown(journey: Any, metrics: Any = None, *, path: Any = None) -> str:
    """A Markdown report of the map: header, stage funnel (with metrics), one row per touchpoint, lanes.

    ``metrics``: a ``JourneyMetrics``, its ``to_payload()`` dict, or a DataFrame with one
    row per touchpoint (a ``touchpoint`` column or the index), whose columns become table columns.
    """
    doc = to_doc(journey)
    payload = to_payload(metrics)
    out: list[str] = []
    out.append(f"# {_md(doc.get('title') or 'Journey map')}")
    out.append("")
    desc = clean_text(doc.get("description") or "").strip()
    if desc:
        out += [_md(desc), ""]
    meta = []
    if doc.get("journey_type") and doc.get("journey_type") != "custom":
        meta.append(f"**Type:** {_md(str(doc['journey_type']).replace('_', ' '))}")
    if doc.get("state"):
        meta.append(f"**State:** {'as-is' if doc['state'] == 'as_is' else 'to-be'}")
    if doc.get("modified"):
        meta.append(f"**Updated:** {_md(doc['modified'])}")
    if meta:
        out += [" · ".join(meta), ""]
    for p in doc.get("personas") or []:
        line = f"**Persona:** {_md(p.get('name'))}"
        if p.get("description"):
            line += f" — {_md(p['description'])}"
        if p.get("quote"):
            line += f" — “{_md(p['quote'])}”"
        out.append(line + "  ")
    goals = doc.get("goals") or []
    if goals:
        parts = []
        for g in goals:
            t = _md(g.get("name"))
            if is_number(g.get("target")):
                t += f" (target {_md(fmt_target(g['target'], g.get('unit')))})"
            parts.append(t)
        out.append("**Goals:** " + "; ".join(parts) + "  ")
    stages = doc.get("stages") or []
    if stages:
        out.append("**Stages:** " + " → ".join(_md(s.get("name")) for s in stages))
    out.append("")

    if payload and payload.get("stages"):
        out += ["## Funnel", "", "| Stage | Customers | Conversion | Drop-off |", "|---|---:|---:|---:|"]
        for s in stages:
            m = stage_metrics(payload, s.get("id"))
            out.append(
                f"| {_md(s.get('name'))} | {fmt_count(m.get('customers')) if is_number(m.get('customers')) else ''} "
                f"| {fmt_pct(m.get('conversion')) if is_number(m.get('conversion')) else ''} "
                f"| {fmt_pct(m.get('dropoff_rate')) if is_number(m.get('dropoff_rate')) else ''} |"
            )
        out.append("")

    mcols = [(c, src, k) for c, src, k in _metric_columns(payload, doc) if src != "stage"]
    head = ["Stage", "Touchpoint", "Channel", "Emotion", "Moment of truth", "Pain points", "Opportunities"]
    head += [_md(_title_case(c)) for c, _, _ in mcols]
    out += ["## Touchpoints", ""]
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "|".join(["---"] * 7 + ["---:"] * len(mcols)) + "|")
    by_stage = touchpoints_by_stage(doc)
    count = 0
    for s in stages:
        for tp in by_stage.get(s.get("id"), []):
            count += 1
            e = tp.get("emotion")
            emo = ""
            if is_number(e):
                lab = emotion_label(doc, e)
                emo = fmt_emotion(e) + (f" {_md(lab)}" if lab else "")
            cells = [
                _md(s.get("name")),
                _md(tp.get("name")),
                _md(channel_label(tp.get("channel"))),
                emo,
                "★ yes" if tp.get("moment_of_truth") else "",
                "<br>".join(_md(p) for p in tp.get("pain_points") or []),
                "<br>".join(_md(p) for p in tp.get("opportunities") or []),
            ]
            tm = tp_metrics(payload, tp.get("id"))
            fm = ((payload or {}).get("feedback") or {}).get(tp.get("id")) or {}
            for _col, src, key in mcols:
                v = tm.get(key) if src == "tp" else (fm.get(key) if isinstance(fm, Mapping) else None)
                if key == "share" and is_number(v):
                    cells.append(fmt_pct(v))
                elif v is None or v == "":
                    cells.append("")
                else:
                    cells.append(_md(fmt_value(plain(v))))
            out.append("| " + " | ".join(cells) + " |")
    if not count:
        out.append("| " + " | ".join(["—"] + [""] * (len(head) - 1)) + " |")
    out.append("")

    card_lanes = [l for l in doc.get("lanes") or [] if l.get("kind") not in COMPUTED_LANES]
    cards = doc.get("cards") or []
    if card_lanes and cards and stages:
        out += ["## Lanes", ""]
        out.append("| Lane | " + " | ".join(_md(s.get("name")) for s in stages) + " |")
        out.append("|---|" + "---|" * len(stages))
        for lane in card_lanes:
            title = lane.get("title") or LANE_TITLES.get(lane.get("kind"), lane.get("kind"))
            cells = []
            for s in stages:
                texts = [c.get("text", "") for c in cards if c.get("lane") == lane.get("id") and c.get("stage") == s.get("id")]
                cells.append("<br>".join("• " + _md(t) for t in texts))
            if any(cells):
                out.append(f"| **{_md(title)}** | " + " | ".join(cells) + " |")
        out.append("")
    text = "\n".join(out).rstrip() + "\n"
    if path is not None:
        from ..core.atomic import atomic_write

        atomic_write(path, text)
    return text


def _title_case(col: str) -> str:
    s = col.replace("_", " ")
    return s[:1].upper() + s[1:]


# ----------------------------------------------------------------- rows in
def _norm_col(name: Any) -> str:
    return re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_")


def _cell_text(v: Any) -> str:
    if v is None:
        return ""
    if type(v) is str:
        s = v
    else:
        v = plain(v)
        if v is None:
            return ""
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        s = str(v)
    if s[:1] == "'" and _needs_guard(s[1:]):
        s = s[1:]  # undo the CSV-injection guard of to_csv
    return s.strip()


def _blank(v: Any) -> bool:
    """True for a cell :func:`_cell_text` reads as empty (fast for the common cases)."""
    if v is None:
        return True
    if type(v) is str:
        return not v.strip() or (v[:1] == "'" and _cell_text(v) == "")
    return _cell_text(v) == ""


def _split_list(v: Any) -> list[str]:
    if v is None:
        return []
    if isinstance(v, (list, tuple)):
        return [str(x).strip() for x in v if str(x).strip()]
    s = _cell_text(v)
    if not s:
        return []
    if s.startswith("["):
        try:
            val = json.loads(s)
        except (ValueError, RecursionError):  # not JSON after all (or nested absurdly deep): plain text
            val = None
        if isinstance(val, list):
            return [str(x) for x in val]
    parts = re.split(r"[;\n]", s)
    return [p.strip() for p in parts if p.strip()]


_TRUE = {"yes", "y", "true", "1", "x", "✓", "✔", "★", "mot", "moment of truth"}
_FALSE = {"", "no", "n", "false", "0", "-", "—"}


def _channel_id(text: str) -> str | None:
    if not text:
        return None
    low = text.strip().lower()
    for cid, label in CHANNEL_LABELS.items():
        if low in (cid, label.lower(), cid.replace("_", " "), cid.replace("_", "-")):
            return cid
    if low in ("e-mail", "mail"):
        return "email"
    if low in ("app", "mobile", "mobile application"):
        return "mobile_app"
    return text.strip()


def _scale_labels(doc: Mapping) -> tuple[float, float, dict[str, Any]]:
    """(min, max, label in lower case -> value) of a document's emotion scale, for :func:`_emotion`."""
    lo, hi = scale_of(doc)
    labels = {str(lab).strip().lower(): k for k, lab in ((doc.get("emotion_scale") or {}).get("labels") or {}).items()}
    return lo, hi, labels


def _emotion(v: Any, scale: tuple[float, float, dict[str, Any]], where: str,
             errors: list[tuple[str, str, str]]) -> float | int | None:
    v = plain(v)
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    lo, hi, labels = scale
    if isinstance(v, bool):
        errors.append((where, "emotion", f"{where}: emotion {v!r} is not a number"))
        return None
    if isinstance(v, (int, float)):
        num = v
    else:
        s = str(v).strip().replace(",", ".").replace("\u2212", "-")
        if s.lower() in labels:
            num = int(labels[s.lower()])
        else:
            try:
                num = float(s)
            except ValueError:
                errors.append((where, "emotion",
                               f"{where}: emotion {str(v)[:60]!r} is not a number from {fmt_value(lo)} to {fmt_value(hi)}"))
                return None
    if not math.isfinite(num) or num < lo or num > hi:
        errors.append((where, "emotion",
                       f"{where}: emotion {fmt_value(num)} is outside the scale {fmt_value(lo)}..{fmt_value(hi)}"))
        return None
    if isinstance(num, float) and num.is_integer():
        num = int(num)
    return num


def from_table(
    path_or_df: Any,
    *,
    title: str | None = None,
    sheet: Any = None,
    journey_type: str = "custom",
    emotion_scale: Mapping | None = None,
    encoding: str | None = None,
    max_bytes: int | None = None,
    max_unpacked: int | None = None,
    max_rows: int | None = None,
    max_cell_chars: int | None = None,
    max_ratio: float | None = None,
) -> Any:
    """Build a :class:`jw.Journey` from a table with one row per touchpoint.

    ``path_or_df``: a CSV/TSV/.xlsx path, a pandas DataFrame or a list of dicts.
    Columns (case and spaces do not matter): ``stage`` and ``touchpoint`` (or ``name``)
    are required; optional ``channel``, ``emotion`` (a number on the scale or a scale
    label), ``description``, ``pain_points``/``opportunities``/``quotes``/``event_keys``
    (``;``-separated), ``moment_of_truth`` (yes/no), ``metric``, ``owner``, ``evidence``,
    ``tags``, ``stage_id``, ``touchpoint_id`` (or ``id``). Stages come in order of first
    appearance; a row with a stage and no touchpoint adds just the stage. Other columns
    (metrics) are ignored.

    ``sheet``: the .xlsx sheet, by name or number from 0 (default: the first).
    ``encoding``: a CSV file's text encoding; UTF-8 (with or without a BOM) is read
    without it, and a UTF-16 file or bytes that are not UTF-8 are refused with the
    ``encoding=`` to pass (``"utf-16"``, ``"cp1252"``...).

    Inputs are bounded (see :mod:`journeywidget.export.limits`); these raise the bounds:
    ``max_bytes`` (the file's size; 64 MiB), ``max_unpacked`` (an .xlsx's unpacked size;
    256 MiB), ``max_rows`` (200,000), ``max_cell_chars`` (100,000) and ``max_ratio``
    (how much one part of an .xlsx may expand; 100).
    Every failure is a ``jw.SourceError`` (a ``jw.JourneyError``) naming the file, the
    row or line and the column; an input over a bound is a ``jw.InputLimitError``.

    >>> t = from_table([{"stage": "Buy", "touchpoint": "Pay"}, {"stage": "Buy", "touchpoint": "Pay"}])
    >>> [tp.id for tp in t.touchpoints]
    ['pay', 'pay-2']
    """
    with paused_gc():  # a big table makes many small objects and no cycles: see core/gcpause.py
        return _from_table(path_or_df, title=title, sheet=sheet, journey_type=journey_type,
                           emotion_scale=emotion_scale, encoding=encoding, max_bytes=max_bytes,
                           max_unpacked=max_unpacked, max_rows=max_rows, max_cell_chars=max_cell_chars,
                           max_ratio=max_ratio)


def _from_table(path_or_df: Any, *, title: str | None, sheet: Any, journey_type: str,
                emotion_scale: Mapping | None, encoding: str | None, max_bytes: int | None,
                max_unpacked: int | None, max_rows: int | None, max_cell_chars: int | None,
                max_ratio: float | None) -> Any:
    from ..core.errors import DocumentError, SourceError
    from ..core.ids import IdAllocator, is_valid_id, slugify
    from ..document.io import validate_document
    from ..journey import Journey
    from . import limits
    from ._readers import Bounds, read_table

    bounds = Bounds(
        max_bytes=limits.MAX_TABLE_BYTES if max_bytes is None else max_bytes,
        max_unpacked=limits.MAX_UNPACKED_BYTES if max_unpacked is None else max_unpacked,
        max_rows=limits.MAX_ROWS if max_rows is None else max_rows,
        max_cell_chars=limits.MAX_CELL_CHARS if max_cell_chars is None else max_cell_chars,
        max_ratio=limits.MAX_ZIP_RATIO if max_ratio is None else max_ratio,
    )
    table = read_table(path_or_df, sheet=sheet, encoding=encoding, bounds=bounds)
    header, raw_rows, source = table.header, table.rows, table.source
    norm: dict[str, str] = {}
    for h in header:
        key = _norm_col(h)
        if key and key not in norm:
            norm[key] = h
    colmap: dict[str, str] = {}
    for canon, aliases in _ALIASES.items():
        for a in aliases:
            if a in norm and norm[a] not in colmap.values():
                colmap[canon] = norm[a]
                break
    missing = [c for c in ("stage", "touchpoint") if c not in colmap]
    if missing:
        names = {"stage": "'stage'", "touchpoint": "'touchpoint' (or 'name')"}
        found = ", ".join(repr(h) for h in header[:40]) or "none"
        if len(header) > 40:
            found += f" ... ({len(header)} in all)"
        raise SourceError(
            f"the table lacks the column{'s' if len(missing) > 1 else ''} "
            f"{' and '.join(names[m] for m in missing)}; found columns: {found}",
            source=source, location="the header", field=missing[0],
        )

    if title is None:
        title = Path(path_or_df).stem.replace("_", " ").replace("-", " ").strip().capitalize() if isinstance(
            path_or_df, (str, Path)) else "Imported journey"
        title = title or "Imported journey"
    kwargs = {"journey_type": journey_type}
    if emotion_scale is not None:
        kwargs["emotion_scale"] = dict(emotion_scale)
    doc = Journey(title, **kwargs).to_dict()
    ids = IdAllocator({doc["id"]} | {l["id"] for l in doc["lanes"]})
    max_stages, max_tps = limits.map_capacity("stages"), limits.map_capacity("touchpoints")
    stage_by_key: dict[str, dict] = {}
    stage_rows: list[int] = []
    tp_rows: list[int] = []
    errors: list[tuple[str, str, str]] = []  # (row, column, message)

    scale = _scale_labels(doc)
    # the column of each field (None when the table has none: row.get(None) is None)
    c_stage, c_sid, c_tp, c_tid, c_mot, c_ev, c_ch, c_emo, c_metric, c_desc, c_pain, c_opp, c_quotes, c_owner, \
        c_keys, c_tags = (colmap.get(k) for k in (
            "stage", "stage_id", "touchpoint", "touchpoint_id", "moment_of_truth", "evidence", "channel", "emotion",
            "metric", "description", "pain_points", "opportunities", "quotes", "owner", "event_keys", "tags"))

    for i, row in enumerate(raw_rows, start=1):
        where = f"row {i}"
        stage_name = _cell_text(row.get(c_stage))
        if not stage_name and all(_blank(v) for v in row.values()):
            continue
        stage_id_cell = _cell_text(row.get(c_sid))
        if not stage_name and not stage_id_cell:
            errors.append((where, "stage", f"{where}: the stage is empty"))
            continue
        key = stage_id_cell or stage_name
        stage = stage_by_key.get(key)
        if stage is None:
            if len(doc["stages"]) >= max_stages:
                raise SourceError(
                    f"a map holds at most {max_stages:,} stages and this row starts stage {max_stages + 1:,} "
                    f"({key[:60]!r}); is {colmap['stage']!r} the right column for stages?",
                    source=source, location=where, field=colmap["stage"],
                )
            sid = stage_id_cell if stage_id_cell and is_valid_id(stage_id_cell) and stage_id_cell not in ids else None
            if sid:
                ids.add(sid)
            else:
                sid = ids.claim(slugify(stage_name or stage_id_cell, fallback="stage"))
            stage = {"id": sid, "name": (stage_name or stage_id_cell)[:300], "description": "", "customer_goal": "",
                     "milestone": False, "icon": ""}
            stage_by_key[key] = stage
            doc["stages"].append(stage)
            stage_rows.append(i)
        name = _cell_text(row.get(c_tp))
        if not name:
            continue  # a stage-only row
        if len(doc["touchpoints"]) >= max_tps:
            raise SourceError(f"a map holds at most {max_tps:,} touchpoints; this row would add one more",
                              source=source, location=where, field=colmap["touchpoint"])
        tid_cell = _cell_text(row.get(c_tid))
        tid = tid_cell if tid_cell and is_valid_id(tid_cell) and tid_cell not in ids else None
        if tid:
            ids.add(tid)
        else:
            tid = ids.claim(slugify(name, fallback="touchpoint"))
        mot_raw = _cell_text(row.get(c_mot)).lower()
        if mot_raw in _TRUE:
            mot = True
        elif mot_raw in _FALSE:
            mot = False
        else:
            errors.append((where, "moment_of_truth", f"{where}: moment_of_truth {mot_raw[:60]!r} is not yes/no"))
            mot = False
        evidence = [e.lower().replace(" ", "_") for e in _split_list(row.get(c_ev))]
        bad = [e for e in evidence if e not in _EVIDENCE]
        if bad:
            errors.append((where, "evidence", f"{where}: evidence {bad[0][:60]!r} is not one of {', '.join(_EVIDENCE)}"))
            evidence = [e for e in evidence if e in _EVIDENCE]
        tp = {
            "id": tid,
            "name": name[:300],
            "stage": stage["id"],
            "channel": _channel_id(_cell_text(row.get(c_ch))),
            "emotion": _emotion(row.get(c_emo), scale, where, errors),
            "moment_of_truth": mot,
            "metric": _cell_text(row.get(c_metric))[:300],
            "description": _cell_text(row.get(c_desc)),
            "pain_points": _split_list(row.get(c_pain)),
            "opportunities": _split_list(row.get(c_opp)),
            "quotes": _split_list(row.get(c_quotes)),
            "owner": _cell_text(row.get(c_owner))[:300],
            "evidence": evidence,
            "event_keys": _split_list(row.get(c_keys)),
            "tags": _split_list(row.get(c_tags)),
        }
        doc["touchpoints"].append(tp)
        tp_rows.append(i)
    if errors:
        shown = [m for _, _, m in errors[:30]]
        more = f"\n  ... and {len(errors) - len(shown)} more" if len(errors) > len(shown) else ""
        first_row, first_field, _ = errors[0]
        raise SourceError("cannot import the table:\n  " + "\n  ".join(shown) + more,
                          source=source, location=first_row, field=colmap.get(first_field, first_field))
    if not doc["stages"]:
        raise SourceError("the table has no rows with a stage", source=source)
    try:
        return Journey._from_canonical(validate_document(doc, source))
    except DocumentError as e:
        raise _rows_error(e, source, colmap, stage_rows, tp_rows) from None


_DOC_PATH = re.compile(r"^\$\.(stages|touchpoints)\[(\d+)\](?:\.(\w+))?")


def _rows_error(err: Any, source: str | None, colmap: Mapping[str, str], stage_rows: list[int],
                tp_rows: list[int]) -> Exception:
    """A document error of an imported table, told by row and column instead of JSON path."""
    from ..core.errors import SourceError

    lines: list[str] = []
    first: tuple[str | None, str | None] = (None, None)
    for e in err.errors:
        m = _DOC_PATH.match(e.path)
        if not m:
            lines.append(str(e))
            continue
        coll, k, fld = m.group(1), int(m.group(2)), m.group(3) or ""
        rows = stage_rows if coll == "stages" else tp_rows
        canon = {"name": "stage" if coll == "stages" else "touchpoint", "id": "stage_id" if coll == "stages"
                 else "touchpoint_id", "stage": "stage"}.get(fld, fld)
        column = colmap.get(canon, canon) or coll
        where = f"row {rows[k]}" if k < len(rows) else coll
        if first == (None, None):
            first = (where, column)
        lines.append(f"{where}, {column!r}: {e.message}")
    shown = lines[:30]
    more = f"\n  ... and {len(lines) - len(shown)} more" if len(lines) > len(shown) else ""
    return SourceError("cannot import the table:\n  " + "\n  ".join(shown) + more, source=source,
                       location=first[0], field=first[1])
