"""Screenshots of template maps in light and dark themes, saved to tests/artifacts/.

They are for people to look at (is the map clean and readable?); the test
checks only that the map renders without errors, fits its cells and follows
the colour scheme.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

import journeywidget as jw
from journeywidget.widget import JourneyWidget

ARTIFACTS = Path(__file__).parents[1] / "artifacts"

METRICS = {
    "touchpoints": {
        "instagram-shopping-post": {"customers": 12400, "share": 1.0, "median_next_s": 40},
        "mobile-home-page": {"customers": 9100, "share": 0.73, "median_next_s": 95},
        "site-search": {"customers": 6100, "share": 0.49, "median_next_s": 260},
        "cart-page": {"customers": 2300, "share": 0.19, "median_next_s": 3600},
        "payment-step": {"customers": 1300, "share": 0.1, "median_next_s": 120},
    },
    "stages": {
        "browse": {"customers": 12400, "conversion": None, "dropoff": 3100, "dropoff_rate": 0.25},
        "search-compare": {
            "customers": 9300,
            "conversion": 0.75,
            "dropoff": 5800,
            "dropoff_rate": 0.62,
        },
        "cart": {"customers": 3500, "conversion": 0.38, "dropoff": 1900, "dropoff_rate": 0.54},
        "checkout": {"customers": 1600, "conversion": 0.46, "dropoff": 180, "dropoff_rate": 0.11},
        "delivery": {"customers": 1420, "conversion": 0.89, "dropoff": 60, "dropoff_rate": 0.04},
        "returns-support": {
            "customers": 410,
            "conversion": 0.29,
            "dropoff": 0,
            "dropoff_rate": 0.0,
        },
    },
    "feedback": {
        "site-search": {"score": 2.1, "n": 312, "emotion": -1.2},
        "payment-step": {"score": 2.8, "n": 140, "emotion": -0.6},
        "delivery-and-try-on": {"score": 4.5, "n": 520, "emotion": 1.6},
    },
}


def shoot(page, h, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.wait_for_timeout(150)
    h.el.screenshot(path=str(path))
    return path


def overflowing(h) -> list[str]:
    """Texts wider than their box (long text must wrap, never overflow)."""
    return h.el.evaluate(
        """(root) => [...root.querySelectorAll('[data-field], .jw-channel-label, .jw-mname, .jw-card-text')]
            .filter(n => n.offsetParent && n.scrollWidth > n.clientWidth + 1 && getComputedStyle(n).textOverflow !== 'ellipsis')
            .map(n => n.textContent.slice(0, 40))"""
    )


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("template", ["ecommerce-purchase", "saas-onboarding"])
def test_template_screenshot(page, standalone, template, scheme):
    page.set_viewport_size({"width": 1500, "height": 900})
    page.emulate_media(color_scheme=scheme)
    if scheme == "dark":
        page.evaluate("() => { document.body.style.background = '#0f1115'; }")
    j = jw.Journey.from_template(template)
    w = JourneyWidget(j)
    h = standalone(w)
    expect(h.el.locator(".jw-tp")).to_have_count(len(j.touchpoints))
    bg = h.el.locator(".jw-root").evaluate("(n) => getComputedStyle(n).backgroundColor")
    assert (bg == "rgb(255, 255, 255)") == (scheme == "light"), bg
    assert overflowing(h) == []
    path = shoot(page, h, f"widget-{template}-{scheme}.png")
    assert path.stat().st_size > 10_000


def test_screenshot_with_metrics_selection_and_long_text(page, standalone):
    page.set_viewport_size({"width": 1500, "height": 900})
    j = jw.Journey.from_template("ecommerce-purchase")
    j.update(
        "cart-page",
        name="A very long touchpoint name that keeps going and going to see whether it wraps inside its card "
        "without spilling over the neighbours: Supercalifragilisticexpialidocious-and-unbreakable-words",
    )
    j.comment("cart-page", "Is this the right moment to ask for the e-mail address?", author="Ana")
    w = JourneyWidget(j)
    h = standalone(w)
    w._metrics = METRICS
    w.selected = "cart-page"
    expect(h.el.locator(".jw-panel")).to_be_visible()
    expect(h.el.locator('.jw-stage[data-id="cart"] .jw-funnel')).to_contain_text(re.compile(r"38\s% from previous"))
    assert overflowing(h) == []
    shoot(page, h, "widget-ecommerce-purchase-metrics.png")
    page.emulate_media(color_scheme="dark")
    page.evaluate("() => { document.body.style.background = '#0f1115'; }")
    shoot(page, h, "widget-ecommerce-purchase-metrics-dark.png")


def test_read_only_screenshot(page, standalone):
    page.set_viewport_size({"width": 1500, "height": 900})
    j = jw.Journey.from_template("service-recovery")
    h = standalone(JourneyWidget(j, editable=False))
    expect(h.el.locator(".jw-tp")).to_have_count(len(j.touchpoints))
    shoot(page, h, "widget-service-recovery-readonly.png")
