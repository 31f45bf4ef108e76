"""Merge conflicts on the map: the comment badge and the item stand out, the comments
panel marks the conflict comment, resolving it clears both. Standalone and JupyterLab;
screenshots (light and dark, a template map and a 30-stage x 600-touchpoint map, with
data) land in tests/artifacts/.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

import journeywidget as jw
from journeywidget.widget import JourneyWidget

ARTIFACTS = Path(__file__).parents[1] / "artifacts"


def conflicted_template() -> jw.Journey:
    base = jw.Journey.from_template("ecommerce-purchase")
    ours, theirs = jw.Journey.from_dict(base.to_dict()), jw.Journey.from_dict(base.to_dict())
    ours.update("payment-step", name="Pay (ours)")
    theirs.update("payment-step", name="Pay (theirs)")
    ours.remove("delivery")
    theirs.add_touchpoint("Parcel locker", stage="delivery", channel="in_store")
    result = jw.merge(base, ours, theirs)
    assert len(result.conflicts) == 2
    return result.journey


def conflicted_big() -> tuple[jw.Journey, dict]:
    base = jw.Journey("Big map")
    for s in range(30):
        base.batch([{"op": "add", "kind": "stage", "item": {"id": f"s{s}", "name": f"Stage {s + 1}"}}] + [
            {"op": "add", "kind": "touchpoint", "item": {"id": f"t{s}-{k}", "name": f"Touchpoint {s + 1}.{k + 1}",
                                                         "stage": f"s{s}", "channel": "web", "emotion": (k % 5) - 2}}
            for k in range(20)])
    ours, theirs = jw.Journey.from_dict(base.to_dict()), jw.Journey.from_dict(base.to_dict())
    for s in (2, 11, 27):
        ours.update(f"t{s}-3", name=f"Ours {s}")
        theirs.update(f"t{s}-3", name=f"Theirs {s}")
    result = jw.merge(base, ours, theirs)
    assert len(result.conflicts) == 3
    metrics = {
        "touchpoints": {t.id: {"customers": 10_000 - 15 * i, "share": 1 - i / 700, "median_next_s": 60 + i}
                        for i, t in enumerate(result.journey.touchpoints)},
        "stages": {f"s{s}": {"customers": 10_000 - 300 * s, "conversion": None if s == 0 else 0.97,
                             "dropoff": 300, "dropoff_rate": 0.03} for s in range(30)},
    }
    return result.journey, metrics


def shoot(page, el, name: str) -> None:
    """A screenshot of ``el`` (``None``: the viewport)."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.wait_for_timeout(150)
    (el or page).screenshot(path=str(ARTIFACTS / name))


def test_conflicts_are_highlighted_and_resolving_clears_them(page, standalone):
    page.set_viewport_size({"width": 1500, "height": 900})
    j = conflicted_template()
    w = JourneyWidget(j)
    h = standalone(w)
    badge = h.el.locator('.jw-tp[data-id="payment-step"] .jw-cbadge')
    expect(badge).to_have_class(lambda_has("jw-cbadge-conflict"))
    expect(badge).to_have_attribute("title", "1 merge conflict to resolve; 1 open comment, 2 in all")
    expect(h.el.locator('.jw-stage[data-id="delivery"] .jw-cbadge-conflict')).to_have_count(1)
    expect(h.el.locator(".jw-cbadge-conflict")).to_have_count(2)
    assert h.el.locator('.jw-tp[data-id="payment-step"]').evaluate("(n) => getComputedStyle(n).outlineStyle") == "solid"
    badge.click()
    conflict = h.el.locator(".jw-panel .jw-comment.jw-conflict")
    expect(conflict).to_have_count(1)
    expect(conflict).to_contain_text("merge conflict: theirs set name to 'Pay (theirs)'; kept ours, 'Pay (ours)'")
    expect(h.el.locator(".jw-panel .jw-comment:not(.jw-conflict)")).to_have_count(1)  # the team's own comment
    shoot(page, h.el, "merge-conflict-template-light.png")
    page.emulate_media(color_scheme="dark")
    page.evaluate("() => { document.body.style.background = '#0f1115'; }")
    shoot(page, h.el, "merge-conflict-template-dark.png")
    conflict.locator(".jw-resolve").click()
    expect(h.el.locator(".jw-panel .jw-comment.jw-conflict")).to_have_count(0)
    expect(badge).not_to_have_class(lambda_has("jw-cbadge-conflict"))
    h.sync()
    assert [c.resolved for c in j.comments if c.text.startswith("merge conflict: theirs set name")] == [True]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_big_map_with_conflicts_and_data(page, standalone, scheme):
    page.set_viewport_size({"width": 1600, "height": 1000})
    page.emulate_media(color_scheme=scheme)
    if scheme == "dark":
        page.evaluate("() => { document.body.style.background = '#0f1115'; }")
    j, metrics = conflicted_big()
    w = JourneyWidget(j)
    h = standalone(w)
    w._metrics = metrics
    expect(h.el.locator(".jw-tp")).to_have_count(600, timeout=30_000)
    expect(h.el.locator(".jw-cbadge-conflict")).to_have_count(3)
    target = h.el.locator('.jw-tp[data-id="t2-3"]')
    target.scroll_into_view_if_needed()
    target.locator(".jw-cbadge").click()
    expect(h.el.locator(".jw-panel .jw-comment.jw-conflict")).to_contain_text("theirs set name to 'Theirs 2'")
    shoot(page, None, f"merge-conflict-600-{scheme}.png")


@pytest.mark.jupyter
def test_conflict_badge_in_jupyterlab(page, lab_notebook):
    page.set_viewport_size({"width": 1400, "height": 1000})
    nb = lab_notebook(["""\
import journeywidget as jw
base = jw.Journey.from_template("ecommerce-purchase")
ours, theirs = jw.Journey.from_dict(base.to_dict()), jw.Journey.from_dict(base.to_dict())
ours.update("payment-step", name="Pay (ours)")
theirs.update("payment-step", name="Pay (theirs)")
j = jw.merge(base, ours, theirs).journey
w = jw.JourneyWidget(j)
w"""])
    out = nb.run_cell(0)
    expect(out.locator(".jw-tp")).to_have_count(18, timeout=30_000)
    expect(out.locator('.jw-tp[data-id="payment-step"] .jw-cbadge-conflict')).to_have_count(1)
    out.locator('.jw-tp[data-id="payment-step"] .jw-cbadge').click()
    expect(out.locator(".jw-panel .jw-comment.jw-conflict")).to_have_count(1)
    out.locator('.jw-tp[data-id="payment-step"]').scroll_into_view_if_needed()
    shoot(page, None, "merge-conflict-jupyterlab-light.png")
    page.locator('.lm-MenuBar-itemLabel:text-is("Settings")').click()
    page.locator('.lm-Menu-itemLabel:text-is("Theme")').hover()
    page.locator('.lm-Menu-itemLabel:text-is("JupyterLab Dark")').click()
    expect(page.locator("body")).to_have_attribute("data-jp-theme-light", "false", timeout=15_000)
    out.locator('.jw-tp[data-id="payment-step"]').scroll_into_view_if_needed()
    shoot(page, None, "merge-conflict-jupyterlab-dark.png")
    nb.run_code("j.resolve([c.id for c in j.comments if c.text.startswith('merge conflict:')][0])")
    expect(out.locator(".jw-cbadge-conflict")).to_have_count(0)


def lambda_has(cls: str):
    import re

    return re.compile(rf"(^|\s){re.escape(cls)}(\s|$)")
