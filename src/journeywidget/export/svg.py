"""Static SVG picture of a journey map, in pure Python.

The picture has the structure the widget shows: a header (title, persona,
goals), stages as columns (with funnel figures when metrics are given), lanes
as rows (cards, touchpoints with their channel, the emotion curve, metrics),
moments of truth and metric badges. Every piece of text is escaped: it may
come from customers.

Drawing pieces live in :mod:`.svg_draw`; overlays embedded under the map in
:mod:`.svg_embed`.

>>> import journeywidget as jw
>>> svg = jw.export.to_svg(jw.Journey.from_template("saas-onboarding"))
>>> svg.startswith("<svg") and "Sign up" in svg
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..core.vocabulary import JOURNEY_TYPE_CHIPS, STATE_CHIPS
from ._common import (
    LANE_TITLES,
    attr,
    channel_label,
    clean_text,
    emotion_label,
    esc,
    fmt_count,
    fmt_duration,
    fmt_emotion,
    fmt_metric,
    fmt_pct,
    fmt_target,
    fmt_value,
    is_number,
    scale_of,
    sentiment,
    stage_metrics,
    to_doc,
    to_payload,
    touchpoints_by_stage,
    tp_metrics,
)
from .svg_draw import (
    BAND,
    CARD_STYLE,
    CELL_PAD,
    COLORS,
    FAINT,
    FONT,
    GRID,
    HEADER_BG,
    INK,
    LABEL_W,
    MOT,
    MUTED,
    PAD,
    PAPER,
    STAGE_ACCENTS,
    STAGE_MIN_W,
    TP_W,
    _pretty_key,
    block_h,
    channel_icon,
    monotone_path,
    n,
    note_block,
    note_block_height,
    note_lines,
    person_icon,
    star_path,
    text_block,
)
from .svg_embed import expand_overlays, overlay_svg, place_svg
from .textmetrics import text_width, truncate, wrap

__all__ = ["to_svg", "render_svg", "expand_overlays"]

_METRIC_NAMES = {"median_next_s": "Median to next", "p90_next_s": "P90 to next", "mean_value": "Mean value", "conversion": "Conversion", "dropoff_rate": "Drop-off"}
_TP_SKIP_KEYS = {"customers", "share", "median_next_s", "touchpoint", "stage", "id", "name", "index", "x"}


class _Renderer:
    def __init__(self, doc: Mapping, payload: Mapping | None, overlays: list | None):
        self.doc = doc
        self.payload = payload or None
        self.overlays = list(overlays or [])
        self.stages = [s for s in (doc.get("stages") or []) if isinstance(s, Mapping)]
        self.by_stage = touchpoints_by_stage(doc)
        self.lanes = self._lanes()
        self.lane_kinds = {lane.get("kind") for lane in self.lanes}
        self.cards: dict[tuple[str, str], list[dict]] = {}
        for c in doc.get("cards") or []:
            self.cards.setdefault((c.get("lane"), c.get("stage")), []).append(c)
        self.out: list[str] = []
        self.defs: list[str] = []
        # column geometry
        self.col_x: list[float] = []
        self.col_w: list[float] = []
        x = PAD + LABEL_W
        for s in self.stages:
            k = len(self.by_stage.get(s.get("id"), []))
            w = max(STAGE_MIN_W, k * TP_W + 2 * 6)
            self.col_x.append(x)
            self.col_w.append(w)
            x += w
        self.grid_right = x
        self.width = max(x + PAD, 760)
        self.max_customers = max(
            [v for v in (stage_metrics(self.payload, s.get("id")).get("customers") for s in self.stages) if is_number(v)]
            or [0]
        )

    # ----- structure -------------------------------------------------
    def _lanes(self) -> list[dict]:
        lanes = [dict(l) for l in (self.doc.get("lanes") or []) if isinstance(l, Mapping)]
        kinds = {l.get("kind") for l in lanes}
        tps = self.doc.get("touchpoints") or []
        extra = []
        if tps and "touchpoints" not in kinds:
            extra.append({"id": "_touchpoints", "kind": "touchpoints", "title": ""})
        if any(is_number(t.get("emotion")) for t in tps) and "emotions" not in kinds:
            extra.append({"id": "_emotions", "kind": "emotions", "title": ""})
        return extra + lanes

    def tp_centers(self, stage_index: int) -> list[float]:
        s = self.stages[stage_index]
        tps = self.by_stage.get(s.get("id"), [])
        x0, w = self.col_x[stage_index], self.col_w[stage_index]
        if not tps:
            return []
        used = len(tps) * TP_W
        left = x0 + (w - used) / 2
        return [left + TP_W * (i + 0.5) for i in range(len(tps))]

    # ----- header ----------------------------------------------------
    def header(self, y: float) -> float:
        doc = self.doc
        inner = self.width - 2 * PAD
        title = clean_text(doc.get("title") or "Untitled journey")
        lines = wrap(title, inner, 24, bold=True, max_lines=3)
        self.out.append(text_block(PAD, y, lines, 24, weight="bold", cls="jw-title"))
        y += block_h(lines, 24) + 4
        meta = []
        jt = doc.get("journey_type")
        if jt and jt != "custom":
            meta.append(JOURNEY_TYPE_CHIPS.get(jt) or str(jt).replace("_", " ").capitalize() + " journey")
        if doc.get("state") in STATE_CHIPS:
            meta.append(STATE_CHIPS[doc["state"]])
        meta.append(f"{len(self.stages)} stages · {len(doc.get('touchpoints') or [])} touchpoints")
        tags = [clean_text(t) for t in (doc.get("tags") or []) if t]
        if tags:
            meta.append("#" + "  #".join(tags[:6]))
        line = truncate("  ·  ".join(meta), inner, 12)
        self.out.append(text_block(PAD, y, [line], 12, fill=MUTED))
        y += block_h(1, 12) + 6
        desc = clean_text(doc.get("description") or "").strip()
        if desc:
            dl = wrap(desc, min(inner, 900), 13, max_lines=3)
            self.out.append(text_block(PAD, y, dl, 13, fill="#374151", cls="jw-description"))
            y += block_h(dl, 13) + 8
        y = self.personas(y + 4)
        y = self.goals(y)
        return y + 10

    def personas(self, y: float) -> float:
        personas = [p for p in (self.doc.get("personas") or []) if isinstance(p, Mapping)]
        if not personas:
            return y
        card_w = 300
        per_row = max(1, int((self.width - 2 * PAD + 12) // (card_w + 12)))
        shown = personas[: per_row]
        blocks = []
        for p in shown:
            tw = card_w - 58 - 12
            name = wrap(clean_text(p.get("name")), tw, 13, bold=True, max_lines=1)
            body: list[tuple[list[str], float, str, str | None]] = []
            desc = clean_text(p.get("description") or "").strip()
            if desc:
                body.append((wrap(desc, tw, 11, max_lines=2), 11, MUTED, None))
            quote = clean_text(p.get("quote") or "").strip()
            if quote:
                body.append((wrap("\u201c" + quote + "\u201d", tw, 11, max_lines=2), 11, "#374151", "italic"))
            goals = [clean_text(g) for g in (p.get("goals") or []) if g]
            if goals:
                body.append((wrap("Goals: " + "; ".join(goals), tw, 11, max_lines=2), 11, "#374151", None))
            h = 12 + block_h(name, 13) + sum(block_h(b[0], b[1]) + 3 for b in body) + 10
            blocks.append((p, name, body, max(h, 58)))
        h = max(b[3] for b in blocks)
        x = PAD
        for p, name, body, _ in blocks:
            g = [f'<g class="jw-persona" data-id="{attr(p.get("id", ""))}">']
            g.append(f'<rect x="{n(x)}" y="{n(y)}" width="{card_w}" height="{n(h)}" rx="8" fill="#f9fafb" stroke="{GRID}"/>')
            initials = "".join(w[:1] for w in clean_text(p.get("name")).split()[:2]).upper() or "?"
            g.append(f'<circle cx="{n(x + 28)}" cy="{n(y + 29)}" r="18" fill="#e0e7ff"/>')
            g.append(text_block(x + 28, y + 29 - 7.5, [initials], 13, fill="#4338ca", weight="bold", anchor="middle"))
            tx, ty = x + 58, y + 10
            g.append(text_block(tx, ty, name, 13, weight="bold"))
            ty += block_h(name, 13) + 2
            for lines, size, fill, style in body:
                g.append(text_block(tx, ty, lines, size, fill=fill, style=style))
                ty += block_h(lines, size) + 3
            g.append("</g>")
            self.out.append("".join(g))
            x += card_w + 12
        if len(personas) > len(shown):
            self.out.append(text_block(x, y + h / 2 - 6, [f"+{len(personas) - len(shown)} more"], 11, fill=MUTED))
        return y + h + 10

    def goals(self, y: float) -> float:
        goals = [g for g in (self.doc.get("goals") or []) if isinstance(g, Mapping)]
        if not goals:
            return y
        x = PAD
        self.out.append(text_block(x, y + 3, ["Goals"], 11, fill=MUTED, weight="bold"))
        x += 44
        row_h = 22
        for g in goals[:8]:
            label = clean_text(g.get("name"))
            target = g.get("target")
            if is_number(target):
                arrow = {"increase": "\u2191 ", "decrease": "\u2193 "}.get(g.get("direction"), "")
                label += f" \u2014 {arrow}{fmt_target(target, g.get('unit'))}"
            label = truncate(label, 320, 11)
            w = text_width(label, 11) + 18
            if x + w > self.width - PAD and x > PAD + 44:
                x = PAD + 44
                y += row_h + 4
            self.out.append(
                f'<g class="jw-goal" data-id="{attr(g.get("id", ""))}"><rect x="{n(x)}" y="{n(y)}" width="{n(w)}" '
                f'height="{row_h}" rx="11" fill="#eef2ff" stroke="#c7d2fe"/>'
                + text_block(x + 9, y + 5, [label], 11, fill="#3730a3")
                + "</g>"
            )
            x += w + 6
        return y + row_h + 8

    # ----- stage header ------------------------------------------------
    def stage_header_height(self) -> float:
        h = 0.0
        for i, s in enumerate(self.stages):
            w = self.col_w[i] - 2 * CELL_PAD
            name = wrap(clean_text(s.get("name")), w - 22, 14, bold=True, max_lines=2)
            hh = 14 + block_h(name, 14)
            goal = clean_text(s.get("customer_goal") or "").strip()
            if goal:
                hh += block_h(wrap(goal, w, 11, max_lines=2), 11) + 4
            if self.payload:
                hh += 40
            h = max(h, hh + 10)
        return max(h, 48)

    def stage_header(self, y: float, h: float) -> None:
        for i, s in enumerate(self.stages):
            x, w = self.col_x[i], self.col_w[i]
            accent = STAGE_ACCENTS[i % len(STAGE_ACCENTS)]
            g = [f'<g class="jw-stage" data-id="{attr(s.get("id", ""))}">']
            g.append(f'<rect x="{n(x + 2)}" y="{n(y)}" width="{n(w - 4)}" height="{n(h)}" rx="8" fill="{HEADER_BG}" stroke="{GRID}"/>')
            g.append(f'<rect x="{n(x + 2)}" y="{n(y)}" width="{n(w - 4)}" height="4" rx="2" fill="{accent}"/>')
            tx = x + CELL_PAD
            ty = y + 12
            num = f"{i + 1}"
            g.append(f'<circle cx="{n(tx + 8)}" cy="{n(ty + 8)}" r="9" fill="{accent}"/>')
            g.append(text_block(tx + 8, ty + 8 - 5.5, [num], 11, fill="#fff", weight="bold", anchor="middle"))
            inner = w - 2 * CELL_PAD
            name = wrap(clean_text(s.get("name")), inner - 22, 14, bold=True, max_lines=2)
            g.append(text_block(tx + 22, ty, name, 14, weight="bold", cls="jw-stage-name"))
            if s.get("milestone"):
                nw = min(text_width(name[0] if name else "", 14, bold=True), inner - 36)
                mx, my = tx + 22 + nw + 10, ty + 8
                g.append(
                    f'<path class="jw-milestone" d="M{n(mx)} {n(my - 6)}L{n(mx + 6)} {n(my)}L{n(mx)} {n(my + 6)}L{n(mx - 6)} {n(my)}Z" '
                    f'fill="{accent}"><title>Milestone</title></path>'
                )
            ty += block_h(name, 14) + 2
            goal = clean_text(s.get("customer_goal") or "").strip()
            if goal:
                gl = wrap(goal, inner, 11, max_lines=2)
                g.append(text_block(tx, ty + 2, gl, 11, fill=MUTED, style="italic"))
                ty += block_h(gl, 11) + 4
            if self.payload:
                g.append(self.funnel(s, tx, y + h - 44, inner))
            g.append("</g>")
            self.out.append("".join(g))

    def funnel(self, s: Mapping, x: float, y: float, w: float) -> str:
        m = stage_metrics(self.payload, s.get("id"))
        cust = m.get("customers")
        parts = ['<g class="jw-funnel">']
        bar_w = w
        share = (cust / self.max_customers) if is_number(cust) and self.max_customers else 0
        parts.append(f'<rect x="{n(x)}" y="{n(y)}" width="{n(bar_w)}" height="8" rx="4" fill="#e5e7eb"/>')
        if share > 0:
            parts.append(f'<rect x="{n(x)}" y="{n(y)}" width="{n(max(bar_w * share, 8))}" height="8" rx="4" fill="#6366f1"/>')
        ty = y + 14
        parts.append(person_icon(x + 5, ty + 7))
        label = fmt_count(cust) if is_number(cust) else "–"
        parts.append(text_block(x + 13, ty, [label], 12, weight="bold", cls="jw-stage-customers"))
        cx = x + 13 + text_width(label, 12, True) + 10
        conv = m.get("conversion")
        if is_number(conv):
            t = f"{fmt_pct(conv)} conv."
            parts.append(text_block(cx, ty + 1, [t], 11, fill="#15803d"))
            cx += text_width(t, 11) + 10
        drop = m.get("dropoff_rate")
        if is_number(drop):
            t = f"\u2193 {fmt_pct(drop)} drop-off"
            if cx + text_width(t, 11) > x + w:
                t = f"\u2193 {fmt_pct(drop)}"
            parts.append(text_block(cx, ty + 1, [t], 11, fill="#b91c1c"))
        parts.append("</g>")
        return "".join(parts)

    # ----- lanes -------------------------------------------------------
    def lane_height(self, lane: Mapping) -> float:
        kind = lane.get("kind")
        if kind == "emotions":
            return 170.0
        if kind == "touchpoints":
            return max([self.tp_chip_height(tp) for tps in self.by_stage.values() for tp in tps] or [40]) + 2 * CELL_PAD
        if kind == "metrics":
            return max([len(self.tp_metric_lines(tp)) for tps in self.by_stage.values() for tp in tps] or [1]) * 15 + 2 * CELL_PAD + 4
        h = 40.0
        for i, s in enumerate(self.stages):
            cards = self.cards.get((lane.get("id"), s.get("id")), [])
            ch = sum(self.card_height(c, self.col_w[i]) + 6 for c in cards)
            nh = max([note_block_height(self.tp_notes(tp, kind)) for tp in self.by_stage.get(s.get("id"), [])] or [0])
            h = max(h, ch + (nh + 6 if nh else 0) + 2 * CELL_PAD - 6)
        return h

    def tp_notes(self, tp: Mapping, kind: Any) -> list[list[str]]:
        """A touchpoint's pain points / opportunities, shown in the lane of that kind."""
        if kind not in ("pain_points", "opportunities"):
            return []
        return note_lines(tp.get(kind) or [], TP_W - 12)

    def card_lines(self, card: Mapping, col_w: float) -> list[str]:
        text = clean_text(card.get("text") or "").strip() or "\u2014"
        return wrap(text, col_w - 2 * CELL_PAD - 20, 12, max_lines=12)

    def card_height(self, card: Mapping, col_w: float) -> float:
        return block_h(self.card_lines(card, col_w), 12) + 16

    def tp_chip_parts(self, tp: Mapping) -> dict:
        w = TP_W - 12 - 20
        name = wrap(clean_text(tp.get("name")), w - (14 if tp.get("moment_of_truth") else 0), 12, bold=True, max_lines=3)
        return {"name": name}

    def tp_chip_height(self, tp: Mapping) -> float:
        p = self.tp_chip_parts(tp)
        h = 10 + 18 + 4 + block_h(p["name"], 12) + 8
        rows = len(self.badge_layout(tp, 0, 0)[1])
        return h + rows * 22 + (2 if rows else 0)

    def badges(self, tp: Mapping) -> list[tuple[str, str, str | None, str, str]]:
        """(kind, text, icon, fill, ink) of a touchpoint's data badges, as the widget shows them."""
        m = tp_metrics(self.payload, tp.get("id"))
        fb = ((self.payload or {}).get("feedback") or {}).get(tp.get("id"))
        out = []
        # labelled, as on the page: "2,686 customers", "54 %", "5h 57m to next", "CSAT 79 %"
        if is_number(m.get("customers")):
            out.append(("customers", f"{fmt_count(m['customers'])} customers", "person", "#eef2ff", "#3730a3"))
        if is_number(m.get("share")):
            out.append(("share", fmt_pct(m["share"]).replace("%", " %"), None, "#f1f5f9", "#334155"))
        if is_number(m.get("median_next_s")):
            out.append(("time", f"{fmt_duration(m['median_next_s'])} to next", "clock", "#f1f5f9", "#334155"))
        if isinstance(fb, Mapping) and is_number(fb.get("score")):
            out.append(("score", _feedback_label(fb), "star", "#fef3c7", "#92400e"))
        # a touchpoint's pain points show in the pain points lane; counted here only without one
        pains = len(tp.get("pain_points") or []) if "pain_points" not in self.lane_kinds else 0
        if pains:
            out.append(("pains", f"{pains} pain point{'s' if pains != 1 else ''}", None, "#fee2e2", "#b91c1c"))
        return out

    def badge_layout(self, tp: Mapping, x0: float, y0: float) -> tuple[list, list]:
        """Badges placed left to right, wrapping inside the chip: ([(badge, x, y, w)], rows)."""
        inner = TP_W - 12 - 20
        placed, rows = [], []
        x, y = x0, y0
        for b in self.badges(tp):
            w = text_width(b[1], 10.5, True) + (22 if b[2] else 12)
            if rows and x + w > x0 + inner:
                x, y = x0, y + 22
                rows.append(y)
            if not rows:
                rows.append(y)
            placed.append((b, x, y, w))
            x += w + 4
        return placed, rows

    def tp_metric_lines(self, tp: Mapping) -> list[tuple[str, str]]:
        m = tp_metrics(self.payload, tp.get("id"))
        out = []
        metric = clean_text(tp.get("metric") or "").strip()
        if metric:
            out.append(("KPI", metric))
        if is_number(m.get("customers")):
            out.append(("Customers", fmt_count(m["customers"])))
        if is_number(m.get("share")):
            out.append(("Share", fmt_pct(m["share"])))
        if is_number(m.get("median_next_s")):
            out.append(("Median to next", fmt_duration(m["median_next_s"])))
        fb = ((self.payload or {}).get("feedback") or {}).get(tp.get("id"))
        if isinstance(fb, Mapping) and is_number(fb.get("score")):
            n_txt = f" (n={fmt_count(fb['n'])})" if is_number(fb.get("n")) else ""
            out.append((f"Score{n_txt}", fmt_value(round(fb["score"], 2))))
        for k, v in m.items():
            if k in _TP_SKIP_KEYS or isinstance(v, (dict, list, bool)) or v is None:
                continue
            if len(out) >= 7:
                break
            out.append((_METRIC_NAMES.get(k, _pretty_key(k)), fmt_metric(k, v)))
        return out or [("", "\u2014")]

    def lanes_rows(self, y: float) -> float:
        for li, lane in enumerate(self.lanes):
            h = self.lane_height(lane)
            kind = lane.get("kind")
            title = clean_text(lane.get("title") or "").strip() or LANE_TITLES.get(kind, str(kind))
            g = [f'<g class="jw-lane jw-lane-{attr(kind)}" data-id="{attr(lane.get("id", ""))}" data-kind="{attr(kind)}">']
            if li % 2 == 0:
                g.append(f'<rect x="{PAD}" y="{n(y)}" width="{n(self.grid_right - PAD)}" height="{n(h)}" fill="#fcfcfd"/>')
            g.append(f'<path d="M{PAD} {n(y)}H{n(self.grid_right)}" stroke="{GRID}"/>')
            tl = wrap(title, LABEL_W - 16, 12, bold=True, max_lines=3)
            g.append(text_block(PAD + 4, y + CELL_PAD + 2, tl, 12, weight="bold", fill="#374151", cls="jw-lane-title"))
            if kind == "emotions":
                g.append(self.emotion_lane(y, h, li))
            elif kind == "touchpoints":
                g.append(self.touchpoint_lane(y))
            elif kind == "metrics":
                g.append(self.metrics_lane(y))
            else:
                g.append(self.card_lane(lane, y))
            g.append("</g>")
            self.out.append("".join(g))
            y += h
        self.out.append(f'<path d="M{PAD} {n(y)}H{n(self.grid_right)}" stroke="{GRID}"/>')
        return y

    def card_lane(self, lane: Mapping, y: float) -> str:
        kind = lane.get("kind")
        fill, border = CARD_STYLE.get(kind, CARD_STYLE["text"])
        out = []
        for i, s in enumerate(self.stages):
            cy = y + CELL_PAD
            x = self.col_x[i] + CELL_PAD
            w = self.col_w[i] - 2 * CELL_PAD
            for c in self.cards.get((lane.get("id"), s.get("id")), []):
                lines = self.card_lines(c, self.col_w[i])
                h = block_h(lines, 12) + 16
                out.append(
                    f'<g class="jw-card" data-id="{attr(c.get("id", ""))}"><rect x="{n(x)}" y="{n(cy)}" width="{n(w)}" '
                    f'height="{n(h)}" rx="6" fill="{fill}" stroke="{border}"/>'
                    + text_block(x + 10, cy + 8, lines, 12, fill=INK)
                    + "</g>"
                )
                cy += h + 6
            # the touchpoints' own pain points / opportunities, each under its touchpoint
            for tp, cx in zip(self.by_stage.get(s.get("id"), []), self.tp_centers(i)):
                notes = self.tp_notes(tp, kind)
                if notes:
                    out.append(note_block(tp.get("id", ""), tp.get("name", ""), kind, notes, cx - TP_W / 2 + 6, cy,
                                          TP_W - 12, fill, border))
        return "".join(out)

    def touchpoint_lane(self, y: float) -> str:
        out = []
        for i, s in enumerate(self.stages):
            tps = self.by_stage.get(s.get("id"), [])
            for tp, cx in zip(tps, self.tp_centers(i)):
                out.append(self.tp_chip(tp, cx - TP_W / 2 + 6, y + CELL_PAD, TP_W - 12))
        return "".join(out)

    def tp_chip(self, tp: Mapping, x: float, y: float, w: float) -> str:
        p = self.tp_chip_parts(tp)
        h = self.tp_chip_height(tp)
        sent = sentiment(self.doc, tp.get("emotion"))
        color = COLORS[sent]
        mot = bool(tp.get("moment_of_truth"))
        g = [f'<g class="jw-touchpoint" data-id="{attr(tp.get("id", ""))}">']
        g.append(
            f'<rect x="{n(x)}" y="{n(y)}" width="{n(w)}" height="{n(h)}" rx="7" fill="#fff" '
            f'stroke="{MOT if mot else "#d1d5db"}" stroke-width="{1.6 if mot else 1}"/>'
        )
        g.append(f'<path d="M{n(x + 1)} {n(y + 7)}V{n(y + h - 7)}" stroke="{color}" stroke-width="4" stroke-linecap="round"/>')
        cx = x + 10
        ch = tp.get("channel")
        ty = y + 8
        if ch:
            g.append(channel_icon(ch, cx + 8.5, ty + 9))
            lab = truncate(channel_label(ch).upper(), w - 40, 9.5)
            g.append(text_block(cx + 22, ty + 4, [lab], 9.5, fill=MUTED, weight="bold", cls="jw-channel"))
        else:
            g.append(f'<circle cx="{n(cx + 8.5)}" cy="{n(ty + 9)}" r="8.5" fill="none" stroke="#d1d5db" stroke-dasharray="2 2"/>')
            g.append(text_block(cx + 22, ty + 4, ["NO CHANNEL"], 9.5, fill=FAINT))
        if mot:
            g.append(f'<path class="jw-mot" d="{star_path(x + w - 12, ty + 9, 7)}" fill="{MOT}"><title>Moment of truth</title></path>')
        ty += 22
        g.append(text_block(cx, ty, p["name"], 12, weight="bold", cls="jw-touchpoint-name"))
        ty += block_h(p["name"], 12) + 6
        placed, _ = self.badge_layout(tp, cx, ty)
        for (kind, text, icon, fill, ink), bx, by, bw in placed:
            g.append(f'<g class="jw-badge jw-badge-{kind}"><rect x="{n(bx)}" y="{n(by)}" width="{n(bw)}" height="18" rx="9" fill="{fill}"/>')
            tx = bx + 6
            if icon == "person":
                g.append(person_icon(bx + 9, by + 9, ink))
                tx = bx + 16
            elif icon == "clock":
                g.append(f'<circle cx="{n(bx + 9)}" cy="{n(by + 9)}" r="4" fill="none" stroke="{ink}" stroke-width="1.2"/>'
                         f'<path d="M{n(bx + 9)} {n(by + 6.6)}V{n(by + 9)}H{n(bx + 11)}" fill="none" stroke="{ink}" stroke-width="1.2"/>')
                tx = bx + 16
            elif icon == "star":
                g.append(f'<path d="{star_path(bx + 9, by + 9, 4.6)}" fill="{MOT}"/>')
                tx = bx + 16
            g.append(text_block(tx, by + 3.2, [text], 10.5, fill=ink, weight="bold") + "</g>")
        g.append(f"<title>{esc(self.tp_tooltip(tp))}</title></g>")
        return "".join(g)

    def tp_tooltip(self, tp: Mapping) -> str:
        bits = [clean_text(tp.get("name"))]
        if tp.get("channel"):
            bits.append(channel_label(tp.get("channel")))
        e = tp.get("emotion")
        if is_number(e):
            lab = emotion_label(self.doc, e)
            bits.append(f"emotion {fmt_emotion(e)}" + (f" ({lab})" if lab else ""))
        if tp.get("moment_of_truth"):
            bits.append("moment of truth")
        return " · ".join(bits)

    def emotion_lane(self, y: float, h: float, li: int) -> str:
        lo, hi = scale_of(self.doc)
        top, bottom = y + 40, y + h - 22
        mid = (lo + hi) / 2

        def ey(v: float) -> float:
            v = min(max(v, lo), hi)
            return bottom - (v - lo) / (hi - lo) * (bottom - top)

        x0, x1 = PAD + LABEL_W, self.grid_right
        g = []
        gid = f"jw-emo-{li}"
        self.defs.append(
            f'<linearGradient id="{gid}" gradientUnits="userSpaceOnUse" x1="0" y1="{n(top)}" x2="0" y2="{n(bottom)}">'
            f'<stop offset="0" stop-color="{COLORS["positive"]}"/><stop offset="0.5" stop-color="{COLORS["neutral"]}"/>'
            f'<stop offset="1" stop-color="{COLORS["negative"]}"/></linearGradient>'
        )
        ym = ey(mid)
        g.append(f'<rect x="{n(x0)}" y="{n(top)}" width="{n(x1 - x0)}" height="{n(ym - top)}" fill="{BAND["positive"]}"/>')
        g.append(f'<rect x="{n(x0)}" y="{n(ym)}" width="{n(x1 - x0)}" height="{n(bottom - ym)}" fill="{BAND["negative"]}"/>')
        g.append(f'<path d="M{n(x0)} {n(ym)}H{n(x1)}" stroke="{FAINT}" stroke-dasharray="4 4"/>')
        labels = (self.doc.get("emotion_scale") or {}).get("labels") or {}
        for v, color in ((hi, COLORS["positive"]), (mid, MUTED), (lo, COLORS["negative"])):
            key = str(int(v)) if float(v).is_integer() else None
            lab = clean_text(labels.get(key) or "") if key else ""
            txt = f"{fmt_emotion(v) if v != mid else '0' if mid == 0 else fmt_value(mid)}" + (f" {lab}" if lab else "")
            txt = truncate(txt, LABEL_W - 18, 10)
            g.append(text_block(x0 - 8, ey(v) - 6, [txt], 10, fill=color, anchor="end"))
        for i in range(1, len(self.stages)):
            g.append(f'<path d="M{n(self.col_x[i])} {n(top)}V{n(bottom)}" stroke="#fff" stroke-width="2"/>')
        pts = []
        for i, s in enumerate(self.stages):
            for tp, cx in zip(self.by_stage.get(s.get("id"), []), self.tp_centers(i)):
                e = tp.get("emotion")
                if is_number(e):
                    pts.append((cx, ey(e), tp))
                else:
                    g.append(
                        f'<circle class="jw-emotion-unset" cx="{n(cx)}" cy="{n(ym)}" r="4" fill="#fff" stroke="{FAINT}" stroke-dasharray="2 2"/>'
                    )
        fb_all = (self.payload or {}).get("feedback") or {}
        fb_pts = []
        for i, s in enumerate(self.stages):
            for tp, cx in zip(self.by_stage.get(s.get("id"), []), self.tp_centers(i)):
                fb = fb_all.get(tp.get("id"))
                if isinstance(fb, Mapping) and is_number(fb.get("emotion")):
                    fb_pts.append((cx, ey(fb["emotion"])))
        if fb_pts:
            self.has_feedback_curve = True
            if len(fb_pts) >= 2:
                g.append(f'<path class="jw-emotion-feedback" d="{monotone_path(fb_pts)}" fill="none" stroke="#6366f1" '
                         'stroke-width="2" stroke-dasharray="5 4" stroke-linecap="round"/>')
            for cx, cy in fb_pts:
                g.append(f'<circle class="jw-emotion-feedback-point" cx="{n(cx)}" cy="{n(cy)}" r="3.5" fill="#fff" stroke="#6366f1" stroke-width="1.5"/>')
        if len(pts) >= 2:
            d = monotone_path([(p[0], p[1]) for p in pts])
            g.append(f'<path class="jw-emotion-curve" d="{d}" fill="none" stroke="url(#{gid})" stroke-width="3" stroke-linecap="round"/>')
        for cx, cy, tp in pts:
            sent = sentiment(self.doc, tp.get("emotion"))
            color = COLORS[sent]
            pg = [f'<g class="jw-emotion-point jw-{sent}" data-id="{attr(tp.get("id", ""))}">']
            if tp.get("moment_of_truth"):
                pg.append(f'<circle cx="{n(cx)}" cy="{n(cy)}" r="11" fill="none" stroke="{MOT}" stroke-width="2.5"/>')
                pg.append(f'<path class="jw-mot" d="{star_path(cx + 11, cy - 11, 6)}" fill="{MOT}" stroke="#fff" stroke-width="1"/>')
            pg.append(f'<circle cx="{n(cx)}" cy="{n(cy)}" r="6.5" fill="{color}" stroke="#fff" stroke-width="2"/>')
            lab = fmt_emotion(tp.get("emotion"))
            below = cy < ym or (cy == ym)
            ly = cy + 11 if below else cy - 23
            pg.append(text_block(cx, ly, [lab], 10.5, fill=color, weight="bold", anchor="middle"))
            pg.append(f"<title>{esc(self.tp_tooltip(tp))}</title></g>")
            g.append("".join(pg))
        return "".join(g)

    def metrics_lane(self, y: float) -> str:
        out = []
        for i, s in enumerate(self.stages):
            for tp, cx in zip(self.by_stage.get(s.get("id"), []), self.tp_centers(i)):
                x = cx - TP_W / 2 + 12
                w = TP_W - 24
                ty = y + CELL_PAD + 2
                g = [f'<g class="jw-tp-metrics" data-id="{attr(tp.get("id", ""))}">']
                for k, v in self.tp_metric_lines(tp):
                    if k:
                        kt = truncate(k, w * 0.55, 11)
                        g.append(text_block(x, ty, [kt], 11, fill=MUTED))
                        vt = truncate(v, w - text_width(kt, 11) - 8, 11, True)
                        g.append(text_block(x + w, ty, [vt], 11, weight="bold", anchor="end"))
                    else:
                        g.append(text_block(x, ty, [v], 11, fill=FAINT))
                    ty += 15
                g.append("</g>")
                out.append("".join(g))
        return "".join(out)

    # ----- overlays (charts) ------------------------------------------
    def overlay_block(self, y: float) -> float:
        if not self.overlays:
            return y
        items = [overlay_svg(o, k) for k, o in enumerate(self.overlays, 1)]
        items = [i for i in items if i]
        if not items:
            return y
        y += 16
        self.out.append(text_block(PAD, y, ["Charts"], 14, weight="bold"))
        y += 24
        x = PAD
        row_h = 0.0
        avail = self.width - 2 * PAD
        for title, frag, w, h in items:
            if w > avail:
                h, w = h * avail / w, avail
            if x + w > self.width - PAD and x > PAD:
                x = PAD
                y += row_h + 12
                row_h = 0
            th = 0.0
            g = ['<g class="jw-chart">']
            if title:
                g.append(text_block(x, y, [truncate(title, w, 12, True)], 12, weight="bold"))
                th = 18
            g.append(place_svg(frag, x, y + th, w, h))
            g.append("</g>")
            self.out.append("".join(g))
            x += w + 16
            row_h = max(row_h, h + th)
        return y + row_h + 8

    def legend(self, y: float) -> float:
        y += 14
        x = PAD
        items = []
        for key, lab in (("positive", "Positive"), ("neutral", "Neutral"), ("negative", "Negative")):
            items.append(f'<circle cx="{n(x + 5)}" cy="{n(y + 6)}" r="5" fill="{COLORS[key]}"/>')
            items.append(text_block(x + 14, y, [lab], 11, fill=MUTED))
            x += 14 + text_width(lab, 11) + 16
        items.append(f'<path d="{star_path(x + 6, y + 6, 6)}" fill="{MOT}"/>')
        items.append(text_block(x + 16, y, ["Moment of truth"], 11, fill=MUTED))
        x += 16 + text_width("Moment of truth", 11) + 16
        if getattr(self, "has_feedback_curve", False):
            items.append(f'<path d="M{n(x)} {n(y + 6)}H{n(x + 22)}" stroke="#6366f1" stroke-width="2" stroke-dasharray="5 4"/>')
            items.append(text_block(x + 28, y, ["Emotion from feedback"], 11, fill=MUTED))
            x += 28 + text_width("Emotion from feedback", 11) + 16
        if self.payload:
            items.append(person_icon(x + 5, y + 6))
            items.append(text_block(x + 14, y, ["Customers reaching the step"], 11, fill=MUTED))
        foot = "journeywidget"
        mod = clean_text(self.doc.get("modified") or "")
        if mod:
            foot += f" · updated {mod}"
        items.append(text_block(self.width - PAD, y, [foot], 10, fill=FAINT, anchor="end"))
        self.out.append('<g class="jw-legend">' + "".join(items) + "</g>")
        return y + 18

    # ----- all -----------------------------------------------------------
    def render(self) -> str:
        y = self.header(PAD)
        if self.stages:
            hh = self.stage_header_height()
            self.stage_header(y, hh)
            y = self.lanes_rows(y + hh + 8)
        else:
            self.out.append(text_block(PAD, y + 10, ["This map has no stages yet."], 13, fill=MUTED, style="italic"))
            y += 40
        y = self.overlay_block(y)
        y = self.legend(y)
        height = y + PAD - 8
        title = clean_text(self.doc.get("title") or "Journey map")
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="jw-static-map" width="{n(self.width)}" height="{n(height)}" '
            f'viewBox="0 0 {n(self.width)} {n(height)}" role="img" aria-label="{attr("Customer journey map: " + title)}" '
            f'font-family="{FONT}">'
        )
        parts = [head, f"<title>{esc(title)}</title>"]
        if self.defs:
            parts.append("<defs>" + "".join(self.defs) + "</defs>")
        parts.append(f'<rect width="100%" height="100%" fill="{PAPER}"/>')
        parts.extend(self.out)
        parts.append("</svg>")
        return "\n".join(p for p in parts if p)


def to_svg(journey: Any, path: Any = None, *, metrics: Any = None, overlays: Iterable | None = None) -> str:
    """The map as an SVG document (a string); also written to ``path`` when given.

    ``journey``: a ``jw.Journey``, a ``JourneyWidget`` or a document dict.
    ``metrics``: a ``JourneyMetrics`` or its ``to_payload()`` dict: adds customers/share
    badges to touchpoints, funnel figures under stages and a metrics lane's values.
    ``overlays``: extra pictures drawn under the map, each an SVG string, a Vega or
    Vega-Lite spec dict, an Altair chart, or ``{"title": ..., "svg"|"spec": ...}``;
    or a ``ChartSet`` / ``_charts`` payload (its charts are drawn).
    """
    doc = to_doc(journey)
    if metrics is None:
        metrics = _metrics_of(journey)
    svg = _Renderer(doc, to_payload(metrics), expand_overlays(overlays)).render()
    if path is not None:
        from ..core.atomic import atomic_write

        atomic_write(path, svg)
    return svg


render_svg = to_svg


def _feedback_label(fb: Mapping) -> str:
    """The feedback score with its name: "CSAT 79 %", "NPS +12", "Score 4.2"."""
    kind, score = fb.get("kind"), fb["score"]
    if kind == "csat":
        return f"CSAT {round(score)} %"
    if kind == "nps":
        return f"NPS {round(score):+d}" if round(score) else "NPS 0"
    return f"Score {fmt_value(round(score, 1))}"


def _metrics_of(obj: Any) -> Any:
    """The metrics a widget carries (its bound ``metrics``, else the ``_metrics`` it shows), else None."""
    if isinstance(obj, Mapping):
        return None
    for name in ("metrics", "_metrics"):  # a JourneyWidget's metrics, then its synced state
        v = getattr(obj, name, None)
        if v is None or (callable(v) and not hasattr(v, "to_payload")) or (isinstance(v, Mapping) and not v):
            continue
        return v
    return None
