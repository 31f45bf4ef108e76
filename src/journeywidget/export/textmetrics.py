"""Approximate text measurement and wrapping for the static SVG renderer.

Widths come from the Helvetica/Arial metrics (Liberation Sans is metric
compatible), in thousandths of an em. Letters outside ASCII are measured by
their base letter (``é`` as ``e``), wide East Asian characters as a full em,
everything else as 0.6 em. Good enough to wrap text in a card without a
browser.

>>> round(text_width("Checkout", 12)), wrap("Search and compare products", 80, 12)
(51, ['Search and', 'compare', 'products'])
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

_ASCII = {
    " ": 278, "!": 278, '"': 355, "#": 556, "$": 556, "%": 889, "&": 667, "'": 191, "(": 333,
    ")": 333, "*": 389, "+": 584, ",": 278, "-": 333, ".": 278, "/": 278, ":": 278, ";": 278,
    "<": 584, "=": 584, ">": 584, "?": 556, "@": 1015, "[": 278, "\\": 278, "]": 278, "^": 469,
    "_": 556, "`": 333, "{": 334, "|": 260, "}": 334, "~": 584,
    "A": 667, "B": 667, "C": 722, "D": 722, "E": 667, "F": 611, "G": 778, "H": 722, "I": 278,
    "J": 500, "K": 667, "L": 556, "M": 833, "N": 722, "O": 778, "P": 667, "Q": 778, "R": 722,
    "S": 667, "T": 611, "U": 722, "V": 667, "W": 944, "X": 667, "Y": 667, "Z": 611,
    "a": 556, "b": 556, "c": 500, "d": 556, "e": 556, "f": 278, "g": 556, "h": 556, "i": 222,
    "j": 222, "k": 500, "l": 222, "m": 833, "n": 556, "o": 556, "p": 556, "q": 556, "r": 333,
    "s": 500, "t": 278, "u": 556, "v": 500, "w": 722, "x": 500, "y": 500, "z": 500,
}
for _d in "0123456789":
    _ASCII[_d] = 556
_EXTRA = {
    "\u2013": 556, "\u2014": 1000, "\u2018": 222, "\u2019": 222, "\u201c": 333, "\u201d": 333,
    "\u2026": 1000, "\u00b7": 278, "\u2022": 350, "\u00a0": 278, "\u00ab": 556, "\u00bb": 556,
    "\u20ac": 556, "\u00a3": 556, "\u00b0": 400, "\u00d7": 584, "\u2192": 1000, "\u2605": 900,
}
BOLD_FACTOR = 1.07


@lru_cache(maxsize=4096)
def char_width(ch: str) -> int:
    """Width of one character in thousandths of an em."""
    w = _ASCII.get(ch)
    if w is not None:
        return w
    w = _EXTRA.get(ch)
    if w is not None:
        return w
    if unicodedata.combining(ch) or ch in "\u200b\u200c\u200d\ufe0f":
        return 0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1000
    base = unicodedata.normalize("NFD", ch)[0]
    if base != ch and base in _ASCII:
        return _ASCII[base]
    cat = unicodedata.category(ch)
    if cat == "Lu":
        return 680
    if cat == "Ll":
        return 540
    if cat.startswith("Z"):
        return 278
    if ord(ch) >= 0x1F000:  # emoji and pictographs
        return 1000
    return 600


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Approximate rendered width of ``text`` in px at font ``size`` px."""
    w = sum(char_width(c) for c in text) * size / 1000.0
    return w * BOLD_FACTOR if bold else w


def _split_long(word: str, width: float, size: float, bold: bool) -> list[str]:
    parts, cur = [], ""
    for ch in word:
        if cur and text_width(cur + ch, size, bold) > width:
            parts.append(cur)
            cur = ch
        else:
            cur += ch
    if cur:
        parts.append(cur)
    return parts


def truncate(text: str, width: float, size: float, bold: bool = False) -> str:
    """``text`` cut to fit ``width`` with an ellipsis when it is too long."""
    if text_width(text, size, bold) <= width:
        return text
    ell = "\u2026"
    out = text
    while out and text_width(out.rstrip() + ell, size, bold) > width:
        out = out[:-1]
    return out.rstrip() + ell


def wrap(text: str, width: float, size: float, bold: bool = False, max_lines: int | None = None) -> list[str]:
    """Wrap ``text`` into lines no wider than ``width`` px.

    Existing line breaks are kept; words longer than a line are broken. With
    ``max_lines`` the last line kept ends with an ellipsis when text was cut.
    """
    width = max(width, size)  # always room for one character
    lines: list[str] = []
    for para in str(text).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        words = para.split()
        if not words:
            lines.append("")
            continue
        cur = ""
        for word in words:
            cand = f"{cur} {word}" if cur else word
            if text_width(cand, size, bold) <= width:
                cur = cand
                continue
            if cur:
                lines.append(cur)
                cur = ""
            if text_width(word, size, bold) <= width:
                cur = word
            else:
                pieces = _split_long(word, width, size, bold)
                lines.extend(pieces[:-1])
                cur = pieces[-1]
        lines.append(cur)
    while len(lines) > 1 and lines[-1] == "":
        lines.pop()
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max(max_lines, 1)]
        last = lines[-1]
        ell = "\u2026"
        while last and text_width(last.rstrip() + ell, size, bold) > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + ell
    return lines
