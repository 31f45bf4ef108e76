"""The drawing kit of the static SVG map: palette, channel icons, sizes, and the small
pieces (text blocks, icons, a monotone curve) the renderer composes.

>>> n(3.0), n(2.25)
('3', '2.2')
>>> block_h(["one line"], 12)
15.0
"""

from __future__ import annotations

import math

from ._common import attr, clean_text, esc
from .textmetrics import truncate, wrap

FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
INK = "#1f2937"
MUTED = "#6b7280"
FAINT = "#9ca3af"
GRID = "#e5e7eb"
PAPER = "#ffffff"
HEADER_BG = "#f8fafc"
COLORS = {"positive": "#16a34a", "neutral": "#94a3b8", "negative": "#dc2626", "none": "#cbd5e1"}
BAND = {"positive": "#f0fdf4", "negative": "#fef2f2"}
MOT = "#f59e0b"
STAGE_ACCENTS = ("#6366f1", "#0ea5e9", "#14b8a6", "#22c55e", "#eab308", "#f97316", "#ec4899", "#8b5cf6")
CARD_STYLE = {  # lane kind -> (fill, border)
    "actions": ("#fef9c3", "#fde68a"),
    "thoughts": ("#e0f2fe", "#bae6fd"),
    "needs": ("#ede9fe", "#ddd6fe"),
    "pain_points": ("#fee2e2", "#fecaca"),
    "opportunities": ("#dcfce7", "#bbf7d0"),
    "backstage": ("#f1f5f9", "#e2e8f0"),
    "text": ("#ffffff", "#e5e7eb"),
}
CHANNEL_COLORS = {
    "web": "#2563eb", "mobile_app": "#7c3aed", "email": "#0891b2", "phone": "#059669",
    "chat": "#0d9488", "social": "#db2777", "ads": "#ea580c", "in_person": "#b45309",
    "store": "#a16207", "support": "#4f46e5", "partner": "#475569",
}
# Icons drawn in white inside a channel-coloured circle, in a box of +-5 px.
_S = 'fill="none" stroke="#fff" stroke-width="1.3" stroke-linecap="round" stroke-linejoin="round"'
CHANNEL_ICONS = {
    "web": f'<circle r="4.5" {_S}/><ellipse rx="2" ry="4.5" {_S}/><path d="M-4.5 0H4.5" {_S}/>',
    "mobile_app": f'<rect x="-2.8" y="-4.6" width="5.6" height="9.2" rx="1.2" {_S}/><path d="M-0.8 2.8H0.8" {_S}/>',
    "email": f'<rect x="-4.6" y="-3.3" width="9.2" height="6.6" rx="0.8" {_S}/><path d="M-4.4 -2.8L0 0.6L4.4 -2.8" {_S}/>',
    "phone": (
        '<path d="M-3.6 -4.4L-1.7 -4.4L-0.8 -1.9L-2 -1C-1.4 0.5 -0.5 1.4 1 2L1.9 0.8L4.4 1.7L4.4 3.6'
        'C4.4 4.2 3.9 4.6 3.3 4.6C-1.4 4.3 -4.3 1.4 -4.6 -3.3C-4.6 -3.9 -4.2 -4.4 -3.6 -4.4Z" fill="#fff"/>'
    ),
    "chat": f'<path d="M-4.6 -3.8H4.6V2H-0.8L-3 4.2V2H-4.6Z" {_S}/>',
    "social": (
        f'<path d="M3 -3L-3 0L3 3" {_S}/><circle cx="3" cy="-3" r="1.6" fill="#fff"/>'
        '<circle cx="-3" cy="0" r="1.6" fill="#fff"/><circle cx="3" cy="3" r="1.6" fill="#fff"/>'
    ),
    "ads": f'<path d="M-4.6 -1.6H-2L3.8 -4.6V4.6L-2 1.6H-4.6Z" {_S}/>',
    "in_person": f'<circle cy="-2.4" r="2" {_S}/><path d="M-4 4.6C-4 0.6 4 0.6 4 4.6" {_S}/>',
    "store": f'<path d="M-4.6 -1L-3.6 -4.2H3.6L4.6 -1Z" {_S}/><path d="M-3.8 -1V4.4H3.8V-1M-1 4.4V1.6H1V4.4" {_S}/>',
    "support": (
        f'<path d="M-3.8 1V-0.4A3.8 3.8 0 0 1 3.8 -0.4V1" {_S}/>'
        '<rect x="-4.9" y="-0.2" width="2.3" height="3.6" rx="0.7" fill="#fff"/>'
        '<rect x="2.6" y="-0.2" width="2.3" height="3.6" rx="0.7" fill="#fff"/>'
    ),
    "partner": f'<circle cx="-1.7" r="2.9" {_S}/><circle cx="1.7" r="2.9" {_S}/>',
}

PAD = 24
LABEL_W = 132
TP_W = 172
STAGE_MIN_W = 210
CELL_PAD = 10
LINE = 1.3  # line height factor


def n(v: float) -> str:
    """A coordinate with at most one decimal."""
    s = f"{v:.1f}"
    return s[:-2] if s.endswith(".0") else s


def star_path(cx: float, cy: float, r: float) -> str:
    pts = []
    for i in range(10):
        rad = r if i % 2 == 0 else r * 0.45
        a = -math.pi / 2 + i * math.pi / 5
        pts.append(f"{n(cx + rad * math.cos(a))} {n(cy + rad * math.sin(a))}")
    return "M" + "L".join(pts) + "Z"


def text_block(
    x: float, y: float, lines: list[str], size: float, *, fill: str = INK, weight: str | None = None,
    anchor: str | None = None, style: str | None = None, line_height: float = LINE, cls: str | None = None,
) -> str:
    """A ``<text>`` with one ``<tspan>`` per line; ``y`` is the top of the block."""
    if not lines:
        return ""
    a = [f'x="{n(x)}"', f'y="{n(y + size * 0.92)}"', f'font-size="{n(size)}"', f'fill="{fill}"']
    if weight:
        a.append(f'font-weight="{weight}"')
    if anchor:
        a.append(f'text-anchor="{anchor}"')
    if style:
        a.append(f'font-style="{style}"')
    if cls:
        a.append(f'class="{cls}"')
    if len(lines) == 1:
        return f"<text {' '.join(a)}>{esc(lines[0])}</text>"
    spans = [f'<tspan x="{n(x)}">{esc(lines[0])}</tspan>']
    spans += [f'<tspan x="{n(x)}" dy="{n(size * line_height)}">{esc(t)}</tspan>' for t in lines[1:]]
    return f"<text {' '.join(a)}>{''.join(spans)}</text>"


def block_h(lines: list[str] | int, size: float, line_height: float = LINE) -> float:
    count = lines if isinstance(lines, int) else len(lines)
    return 0.0 if count == 0 else size * (1 + line_height * (count - 1)) + size * 0.25


def channel_icon(channel: str | None, cx: float, cy: float, r: float = 8.5) -> str:
    color = CHANNEL_COLORS.get(channel or "", "#64748b")
    inner = CHANNEL_ICONS.get(channel or "")
    if inner is None:
        letter = clean_text(channel or "?").strip()[:1].upper() or "?"
        inner = f'<text y="3.3" font-size="9" font-weight="bold" fill="#fff" text-anchor="middle">{esc(letter)}</text>'
    k = r / 8.5
    return (
        f'<g transform="translate({n(cx)} {n(cy)})"><circle r="{n(r)}" fill="{color}"/>'
        f'<g transform="scale({k:.3g})">{inner}</g></g>'
    )


def person_icon(x: float, cy: float, color: str = MUTED) -> str:
    return (
        f'<g transform="translate({n(x)} {n(cy)})" fill="{color}"><circle cy="-2.2" r="2.1"/>'
        '<path d="M-3.6 4C-3.6 0.6 3.6 0.6 3.6 4Z"/></g>'
    )


def monotone_path(pts: list[tuple[float, float]]) -> str:
    """A smooth path through points sorted by x that never overshoots (monotone cubic in x)."""
    if not pts:
        return ""
    if len(pts) == 1:
        return f"M{n(pts[0][0])} {n(pts[0][1])}"
    if len(pts) == 2:
        return f"M{n(pts[0][0])} {n(pts[0][1])}L{n(pts[1][0])} {n(pts[1][1])}"
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    k = len(pts)
    hs = [(xs[i + 1] - xs[i]) or 1e-9 for i in range(k - 1)]
    d = [(ys[i + 1] - ys[i]) / hs[i] for i in range(k - 1)]
    m = [0.0] * k
    for i in range(1, k - 1):  # d3's curveMonotoneX tangents
        s0, s1, h0, h1 = d[i - 1], d[i], hs[i - 1], hs[i]
        p = (s0 * h1 + s1 * h0) / (h0 + h1)
        sign = (s0 > 0) - (s0 < 0) + (s1 > 0) - (s1 < 0)
        m[i] = sign * min(abs(s0), abs(s1), 0.5 * abs(p))
    m[0] = (3 * d[0] - m[1]) / 2 if k > 2 else d[0]
    m[-1] = (3 * d[-1] - m[-2]) / 2 if k > 2 else d[-1]
    out = [f"M{n(xs[0])} {n(ys[0])}"]
    for i in range(k - 1):
        h = xs[i + 1] - xs[i]
        c1 = (xs[i] + h / 3, ys[i] + m[i] * h / 3)
        c2 = (xs[i + 1] - h / 3, ys[i + 1] - m[i + 1] * h / 3)
        out.append(f"C{n(c1[0])} {n(c1[1])} {n(c2[0])} {n(c2[1])} {n(xs[i + 1])} {n(ys[i + 1])}")
    return "".join(out)


def note_lines(texts: list, width: float) -> list[list[str]]:
    """The touchpoint's notes (pain points or opportunities) wrapped to ``width``, four lines at most each."""
    out = []
    for t in texts or []:
        t = clean_text(t).strip()
        if t:
            out.append(wrap(t, width - 16, 11, max_lines=4))
    return out


def note_block_height(notes: list[list[str]]) -> float:
    """Height of a touchpoint's notes block (0 without notes)."""
    if not notes:
        return 0.0
    return 8 + 14 + sum(block_h(lines, 11) + 4 for lines in notes) + 4


def note_block(tp_id: str, tp_name: str, kind: str, notes: list[list[str]], x: float, y: float, w: float,
               fill: str, border: str) -> str:
    """A touchpoint's pain points or opportunities, drawn in their lane under the touchpoint:
    a dashed card headed by the touchpoint's name."""
    h = note_block_height(notes)
    g = [f'<g class="jw-tp-notes jw-tp-notes-{attr(kind)}" data-id="{attr(tp_id)}">',
         f'<rect x="{n(x)}" y="{n(y)}" width="{n(w)}" height="{n(h)}" rx="6" fill="{fill}" stroke="{border}" '
         'stroke-dasharray="4 3"/>',
         f'<path d="M{n(x + 1.5)} {n(y + 5)}V{n(y + h - 5)}" stroke="{border}" stroke-width="3" stroke-linecap="round"/>',
         text_block(x + 10, y + 7, [truncate(clean_text(tp_name), w - 16, 10, True)], 10, fill=MUTED,
                    weight="bold")]
    ty = y + 8 + 14
    for lines in notes:
        g.append(text_block(x + 10, ty, lines, 11, fill=INK))
        ty += block_h(lines, 11) + 4
    g.append("</g>")
    return "".join(g)


def _pretty_key(key: str) -> str:
    k = str(key).replace("_", " ").strip()
    return k[:1].upper() + k[1:]
