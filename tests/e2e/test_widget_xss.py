"""Customer text on the map is data, never markup: the XSS corpus in the widget.

The payloads (tests/data/xss_payloads.json, shared with the export tests) go
into every text field the widget shows: touchpoint names, channels, metrics,
quotes, comments, persona fields, stage and lane names, cards, goals, tags.
Each must show as literal text, and no script may run: we listen for dialogs,
console markers and page errors, and check that no element or attribute in
the widget came from the data.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

import journeywidget as jw
from journeywidget.widget import JourneyWidget

CORPUS = json.loads(
    (Path(__file__).parents[1] / "data" / "xss_payloads.json").read_text(encoding="utf-8")
)
PAYLOADS: list[str] = CORPUS["payloads"]
MARKER = CORPUS["marker"]


def xss_journey() -> jw.Journey:
    p = PAYLOADS
    j = jw.Journey(p[0], description=p[1], tags=[x[:100] for x in p[2:4]])
    j.add_persona(
        p[5],
        description=p[6],
        quote=p[7],
        goals=[p[8], p[9]],
        attributes={"segment": p[10][:1000], p[11][:100]: "value"},
    )
    j.add_goal(p[12], metric=p[13][:300], unit=p[14][:40], target=5)
    stages = [j.add_stage(p[i], customer_goal=p[-i - 1]) for i in range(3)]
    lanes = {lane.kind: lane.id for lane in j.lanes}
    for i, payload in enumerate(p):
        stage = stages[i % 3]
        tp = j.add_touchpoint(
            payload,
            stage=stage,
            channel=p[(i + 1) % len(p)][:60],
            metric=p[(i + 2) % len(p)][:300],
            emotion=(i % 5) - 2,
            moment_of_truth=i % 7 == 0,
            quotes=[p[(i + 3) % len(p)]],
            pain_points=[p[(i + 4) % len(p)]],
        )
        j.comment(tp, payload, author=p[(i + 5) % len(p)][:300])
        j.add_card(payload, lane=lanes["thoughts"], stage=stage)
    j.update(lanes["pain_points"], title=p[15][:300])
    return j


@pytest.fixture
def watched(page):
    """Collect dialogs, console lines with the marker, and page errors."""
    seen: dict[str, list[str]] = {"dialogs": [], "console": [], "errors": []}

    def on_dialog(dialog):
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("console", lambda m: MARKER in m.text and seen["console"].append(m.text))
    page.on("pageerror", lambda e: seen["errors"].append(str(e)))
    return seen


def assert_inert(page, h, watched):
    page.wait_for_timeout(300)  # give any injected handler (onload, onerror, autofocus) a chance
    assert watched["dialogs"] == [], watched["dialogs"]
    assert watched["console"] == [], watched["console"]
    assert watched["errors"] == [], watched["errors"]
    bad = h.el.evaluate(
        """(root) => {
            const out = [];
            for (const el of root.querySelectorAll('*')) {
                const tag = el.tagName.toLowerCase();
                if (['script', 'img', 'iframe', 'object', 'embed', 'a', 'video', 'audio', 'source', 'style',
                     'link', 'meta', 'base', 'form', 'math', 'details', 'marquee', 'body', 'noscript',
                     'use', 'animate', 'foreignobject', 'x'].includes(tag)) out.push('element ' + tag);
                for (const a of el.attributes) {
                    const n = a.name.toLowerCase();
                    if (n.startsWith('on') || ['href', 'src', 'xlink:href', 'srcdoc', 'formaction', 'action', 'data'].includes(n))
                        out.push(tag + ' attribute ' + n);
                    if (n === 'style' && /url\\(|javascript:|expression/i.test(a.value)) out.push(tag + ' style ' + a.value);
                }
            }
            return out;
        }"""
    )
    assert bad == []
    assert page.evaluate("() => window.__jwXss === undefined")


def test_payloads_show_as_literal_text(page, standalone, watched):
    page.set_viewport_size({"width": 1600, "height": 1000})
    assert len(PAYLOADS) >= 20
    j = xss_journey()
    w = JourneyWidget(j)
    h = standalone(w)
    el = h.el
    expect(el.locator(".jw-tp")).to_have_count(len(PAYLOADS))

    expect(el.locator(".jw-title")).to_have_text(PAYLOADS[0])
    expect(el.locator(".jw-desc")).to_have_text(PAYLOADS[1])
    expect(el.locator(".jw-persona-name")).to_have_text(PAYLOADS[5])
    expect(el.locator(".jw-persona-desc")).to_have_text(PAYLOADS[6])
    expect(el.locator(".jw-quote")).to_have_text(PAYLOADS[7])
    expect(el.locator(".jw-persona-goals li").nth(0)).to_have_text(PAYLOADS[8])
    expect(el.locator(".jw-goal-name")).to_have_text(PAYLOADS[12])
    names = {t.id: t.name for t in j.touchpoints}
    channels = {t.id: t.channel for t in j.touchpoints}
    for tp_id, name in names.items():
        card = el.locator(f'.jw-tp[data-id="{tp_id}"]')
        expect(card.locator('[data-field="name"]')).to_have_text(name)
        assert card.locator(".jw-channel-label").text_content() == channels[tp_id]
    texts = el.locator(".jw-card-text").all_text_contents()
    assert sorted(texts) == sorted(PAYLOADS)
    stage_names = el.locator(".jw-stage-name").all_text_contents()
    assert stage_names == PAYLOADS[:3]
    assert PAYLOADS[15][:300] in el.locator(".jw-lane-title").all_text_contents()
    # dot tooltips carry names as plain attribute values
    first = j.touchpoints[0]
    assert first.name in el.locator(f'.jw-dot[data-id="{first.id}"]').get_attribute("title")
    assert_inert(page, h, watched)

    # the side panel: every field of a touchpoint, and its comments
    for tp in j.touchpoints[:6]:
        w.selected = tp.id
        panel = el.locator(".jw-panel")
        expect(panel.locator(".jw-panel-title")).to_have_text(tp.name)
        assert panel.locator('.jw-frow[data-key="name"] input').input_value() == tp.name
        assert panel.locator('.jw-frow[data-key="quotes"] textarea').input_value() == tp.quotes[0]
        expect(panel.locator(".jw-comment-body")).to_have_text(tp.name)
    # the journey's and the persona's panels
    w.selected = j.personas[0].id
    expect(el.locator(".jw-panel-title")).to_have_text(PAYLOADS[5])
    assert el.locator('.jw-frow[data-key="quote"] textarea').input_value() == PAYLOADS[7]
    w.selected = j.id
    assert el.locator('.jw-frow[data-key="title"] input').input_value() == PAYLOADS[0]

    # hover and focus everything that could carry a handler
    for loc in el.locator(".jw-tp, .jw-dot, .jw-card, .jw-stage, .jw-persona").all()[:40]:
        loc.hover()
        loc.focus()
    assert_inert(page, h, watched)


def test_payloads_typed_in_the_page_stay_text(page, standalone, watched):
    page.set_viewport_size({"width": 1600, "height": 1000})
    j = jw.Journey.from_template("ecommerce-purchase")
    w = JourneyWidget(j)
    h = standalone(w)
    name = h.el.locator('.jw-tp[data-id="cart-page"] [data-field="name"]')
    for payload in (PAYLOADS[0], PAYLOADS[3], PAYLOADS[7]):
        name.click()
        page.keyboard.press("Control+a")
        page.keyboard.insert_text(payload)
        page.keyboard.press("Enter")
        h.wait_until(lambda p=payload: j["cart-page"].name == p)
        expect(name).to_have_text(payload)
    # pasting markup inserts plain text
    card = h.el.locator('.jw-card[data-id="card-browse-actions"] [data-field="text"]')
    card.click()
    page.keyboard.press("Control+a")
    card.evaluate(
        """(el, html) => {
            const dt = new DataTransfer();
            dt.setData('text/html', html);
            dt.setData('text/plain', html);
            el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
        }""",
        PAYLOADS[1],
    )
    card.blur()
    h.wait_until(lambda: j["card-browse-actions"].text == PAYLOADS[1])
    # a comment typed in the panel
    w.selected = "cart-page"
    panel = h.el.locator(".jw-panel")
    expect(panel.locator(".jw-panel-title")).to_have_text(PAYLOADS[7])  # the panel shows cart-page
    panel.locator(".jw-comment-text").fill(PAYLOADS[2])
    panel.get_by_role("button", name="Comment", exact=True).click()
    h.wait_until(lambda: j.comments and j.comments[-1].text == PAYLOADS[2])
    expect(panel.locator(".jw-comment-body").last).to_have_text(PAYLOADS[2])
    assert_inert(page, h, watched)
