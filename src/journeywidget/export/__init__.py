"""Reports and exports of a journey map: SVG, PNG, PDF, standalone HTML, Markdown,
CSV/Excel, Mermaid, and the static notebook fallback.

Every function takes a ``jw.Journey`` (or a ``JourneyWidget``, or a document
dict) first:

>>> import journeywidget as jw
>>> j = jw.Journey.from_template("saas-onboarding")
>>> page = jw.export.to_html(j, "map.html")
>>> png = jw.export.to_png(j, "map.png", scale=2)
>>> print(jw.export.to_mermaid(j).splitlines()[1])
    title SaaS onboardingː sign-up to upgrade

Heavy dependencies (vl-convert, openpyxl, pandas) load only when used.
"""

from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "to_svg": ".svg",
    "to_png": ".images",
    "to_pdf": ".images",
    "to_html": ".html",
    "mimebundle_fallback": ".notebook",
    "static_html": ".notebook",
    "to_markdown": ".tables",
    "to_csv": ".tables",
    "to_excel": ".tables",
    "from_table": ".tables",
    "touchpoint_rows": ".tables",
    "to_mermaid": ".mermaid",
    "from_mermaid": ".mermaid",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'journeywidget.export' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
