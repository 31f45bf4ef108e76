"""Tables: Markdown report, CSV and Excel (one row per touchpoint), and import from a table.

>>> import journeywidget as jw
>>> j = jw.Journey.from_template("saas-onboarding")
>>> csv_text = to_csv(j, "map.csv")
>>> len(from_table("map.csv").touchpoints) == len(j.touchpoints)
True
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

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
    journey_error,
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
_TEXT_COLUMNS = frozenset(TABLE_COLUMNS) - {"emotion", "moment_of_truth"}
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
_INJECTION_START = ("=", "+", "-", "@", "\t", "\r")


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


def _defuse(value: Any) -> Any:
    """Keep spreadsheet programs from running a text cell as a formula (CSV injection)."""
    if isinstance(value, str) and value.startswith(_INJECTION_START):
        return "'" + value
    return value


def to_csv(journey: Any, path: Any = None, *, metrics: Any = None) -> str:
    """The map as CSV text, one row per touchpoint (see :data:`TABLE_COLUMNS`); written to ``path`` when given.

    Text cells starting with ``= + - @`` get a leading ``'`` so spreadsheet programs
    show them as text; :func:`from_table` removes it again.
    """
    columns, rows = touchpoint_rows(journey, metrics)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: (_defuse(v) if k in _TEXT_COLUMNS else v) for k, v in r.items()})
    text = buf.getvalue()
    if path is not None:
        Path(path).write_text(text, encoding="utf-8", newline="")
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
            cell.value = clean_text(value)
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
    wb.save(str(path))


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
        Path(path).write_text(text, encoding="utf-8")
    return text


def _title_case(col: str) -> str:
    s = col.replace("_", " ")
    return s[:1].upper() + s[1:]


# ----------------------------------------------------------------- rows in
def _norm_col(name: Any) -> str:
    return re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_")


def _read_rows(source: Any, sheet: Any = None) -> tuple[list[str], list[dict]]:
    """(header, rows as dicts of raw values) from a DataFrame, a CSV/TSV file or an .xlsx file."""
    if hasattr(source, "columns") and hasattr(source, "to_dict"):  # pandas (or compatible) DataFrame
        header = [str(c) for c in source.columns]
        records = source.to_dict("records")
        return header, [{str(k): plain(v) for k, v in r.items()} for r in records]
    if isinstance(source, (list, tuple)) and all(isinstance(r, Mapping) for r in source):
        header: list[str] = []
        for r in source:
            header += [str(k) for k in r if str(k) not in header]
        return header, [{str(k): v for k, v in r.items()} for r in source]
    path = Path(source)
    if not path.exists():
        raise journey_error(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        try:
            from openpyxl import load_workbook
        except ImportError as e:
            raise ImportError('reading Excel files needs openpyxl: pip install "journeywidget[excel]"') from e
        wb = load_workbook(str(path), read_only=True, data_only=True)
        try:
            ws = wb[sheet] if isinstance(sheet, str) else wb.worksheets[sheet or 0]
            it = ws.iter_rows(values_only=True)
            first = next(it, None)
            if first is None:
                return [], []
            header = ["" if h is None else str(h) for h in first]
            rows = [dict(zip(header, r)) for r in it]
        finally:
            wb.close()
        return header, rows
    if suffix == ".xls":
        raise journey_error(f"{path}: old .xls files are not supported; save it as .xlsx or .csv")
    text = path.read_text(encoding="utf-8-sig")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel_tab if suffix in (".tsv", ".tab") else csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    header = list(reader.fieldnames or [])
    return header, [dict(r) for r in reader]


def _cell_text(v: Any) -> str:
    v = plain(v)
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = str(v)
    if len(s) > 1 and s[0] == "'" and s[1] in "=+-@\t\r":
        s = s[1:]  # undo the CSV-injection guard of to_csv
    return s.strip()


def _split_list(v: Any) -> list[str]:
    if isinstance(v, (list, tuple)):
        return [str(x).strip() for x in v if str(x).strip()]
    s = _cell_text(v)
    if not s:
        return []
    if s.startswith("["):
        try:
            val = json.loads(s)
        except ValueError:
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


def _emotion(v: Any, doc: Mapping, where: str, errors: list[str]) -> float | int | None:
    v = plain(v)
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    lo, hi = scale_of(doc)
    if isinstance(v, bool):
        errors.append(f"{where}: emotion {v!r} is not a number")
        return None
    if isinstance(v, (int, float)):
        num = v
    else:
        s = str(v).strip().replace(",", ".").replace("\u2212", "-")
        labels = {str(lab).strip().lower(): k for k, lab in ((doc.get("emotion_scale") or {}).get("labels") or {}).items()}
        if s.lower() in labels:
            num = int(labels[s.lower()])
        else:
            try:
                num = float(s)
            except ValueError:
                errors.append(f"{where}: emotion {str(v)!r} is not a number from {fmt_value(lo)} to {fmt_value(hi)}")
                return None
    if not math.isfinite(num) or num < lo or num > hi:
        errors.append(f"{where}: emotion {fmt_value(num)} is outside the scale {fmt_value(lo)}..{fmt_value(hi)}")
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
) -> Any:
    """Build a :class:`jw.Journey` from a table with one row per touchpoint.

    ``path_or_df``: a CSV/TSV/.xlsx path, a pandas DataFrame or a list of dicts.
    Columns (case and spaces do not matter): ``stage`` and ``touchpoint`` (or ``name``)
    are required; optional ``channel``, ``emotion`` (a number on the scale or a scale
    label), ``description``, ``pain_points``/``opportunities``/``quotes``/``event_keys``
    (``;``-separated), ``moment_of_truth`` (yes/no), ``metric``, ``owner``, ``evidence``,
    ``tags``, ``stage_id``, ``touchpoint_id`` (or ``id``). Stages come in order of first
    appearance; a row with a stage and no touchpoint adds just the stage. Other columns
    (metrics) are ignored. Raises ``jw.JourneyError`` naming missing columns and bad cells.
    """
    from ..core.ids import is_valid_id, slugify, unique_id
    from ..journey import Journey

    header, raw_rows = _read_rows(path_or_df, sheet)
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
        found = ", ".join(repr(h) for h in header) or "none"
        raise journey_error(
            f"the table lacks the column{'s' if len(missing) > 1 else ''} "
            f"{' and '.join(names[m] for m in missing)}; found columns: {found}"
        )

    if title is None:
        title = Path(path_or_df).stem.replace("_", " ").replace("-", " ").strip().capitalize() if isinstance(
            path_or_df, (str, Path)) else "Imported journey"
        title = title or "Imported journey"
    kwargs = {"journey_type": journey_type}
    if emotion_scale is not None:
        kwargs["emotion_scale"] = dict(emotion_scale)
    doc = Journey(title, **kwargs).to_dict()
    taken: set[str] = {doc["id"]} | {l["id"] for l in doc["lanes"]}
    stage_by_key: dict[str, dict] = {}
    errors: list[str] = []

    def get(row: Mapping, canon: str) -> Any:
        col = colmap.get(canon)
        return row.get(col) if col is not None else None

    for i, row in enumerate(raw_rows, start=1):
        where = f"row {i}"
        if all(_cell_text(v) == "" for v in row.values()):
            continue
        stage_name = _cell_text(get(row, "stage"))
        stage_id_cell = _cell_text(get(row, "stage_id"))
        if not stage_name and not stage_id_cell:
            errors.append(f"{where}: the stage is empty")
            continue
        key = stage_id_cell or stage_name
        stage = stage_by_key.get(key)
        if stage is None:
            sid = stage_id_cell if stage_id_cell and is_valid_id(stage_id_cell) and stage_id_cell not in taken else None
            sid = sid or unique_id(slugify(stage_name or stage_id_cell, fallback="stage"), taken)
            taken.add(sid)
            stage = {"id": sid, "name": (stage_name or stage_id_cell)[:300], "description": "", "customer_goal": "",
                     "milestone": False, "icon": ""}
            stage_by_key[key] = stage
            doc["stages"].append(stage)
        name = _cell_text(get(row, "touchpoint"))
        if not name:
            continue  # a stage-only row
        tid_cell = _cell_text(get(row, "touchpoint_id"))
        tid = tid_cell if tid_cell and is_valid_id(tid_cell) and tid_cell not in taken else None
        tid = tid or unique_id(slugify(name, fallback="touchpoint"), taken)
        taken.add(tid)
        mot_raw = _cell_text(get(row, "moment_of_truth")).lower()
        if mot_raw in _TRUE:
            mot = True
        elif mot_raw in _FALSE:
            mot = False
        else:
            errors.append(f"{where}: moment_of_truth {mot_raw!r} is not yes/no")
            mot = False
        evidence = [e.lower().replace(" ", "_") for e in _split_list(get(row, "evidence"))]
        bad = [e for e in evidence if e not in _EVIDENCE]
        if bad:
            errors.append(f"{where}: evidence {bad[0]!r} is not one of {', '.join(_EVIDENCE)}")
            evidence = [e for e in evidence if e in _EVIDENCE]
        tp = {
            "id": tid,
            "name": name[:300],
            "stage": stage["id"],
            "channel": _channel_id(_cell_text(get(row, "channel"))),
            "emotion": _emotion(get(row, "emotion"), doc, where, errors),
            "moment_of_truth": mot,
            "metric": _cell_text(get(row, "metric"))[:300],
            "description": _cell_text(get(row, "description")),
            "pain_points": _split_list(get(row, "pain_points")),
            "opportunities": _split_list(get(row, "opportunities")),
            "quotes": _split_list(get(row, "quotes")),
            "owner": _cell_text(get(row, "owner"))[:300],
            "evidence": evidence,
            "event_keys": _split_list(get(row, "event_keys")),
            "tags": _split_list(get(row, "tags")),
        }
        doc["touchpoints"].append(tp)
    if errors:
        shown = errors[:30]
        more = f"\n  ... and {len(errors) - len(shown)} more" if len(errors) > len(shown) else ""
        raise journey_error("cannot import the table:\n  " + "\n  ".join(shown) + more)
    if not doc["stages"]:
        raise journey_error("the table has no rows with a stage")
    return Journey.from_dict(doc)
