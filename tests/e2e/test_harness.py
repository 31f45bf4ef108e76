"""The standalone harness itself, proven with a throwaway anywidget (no journeywidget code)."""

from __future__ import annotations

import anywidget
import pytest
import traitlets
from playwright.sync_api import expect

from harness.standalone import HarnessError

COUNTER_ESM = """
export default {
  initialize({ model }) {
    model.set("initialized", true);
    model.save_changes();
  },
  render({ model, el }) {
    const button = document.createElement("button");
    button.className = "counter";
    const show = () => { button.textContent = `count is ${model.get("value")}`; };
    button.addEventListener("click", () => {
      model.set("value", model.get("value") + 1);
      model.save_changes();
    });
    model.on("change:value", show);
    show();

    const ping = document.createElement("button");
    ping.className = "ping";
    ping.textContent = "ping";
    let n = 0;
    ping.addEventListener("click", () => model.send({ type: "ping", n: ++n }));

    const out = document.createElement("output");
    model.on("msg:custom", (msg, buffers) => {
      const bytes = buffers.length ? new Uint8Array(buffers[0].buffer).join(",") : "";
      out.textContent = `${msg.type} ${msg.n ?? ""} ${bytes}`.trim();
    });

    const blob = document.createElement("span");
    blob.className = "blob";
    const showBlob = () => {
      const b = model.get("blob");
      blob.textContent = b ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength).join(",") : "";
    };
    model.on("change:blob", showBlob);
    showBlob();

    const boom = document.createElement("button");
    boom.className = "boom";
    boom.textContent = "boom";
    boom.addEventListener("click", () => model.send({ type: "boom" }));

    el.append(button, ping, out, blob, boom);
    return () => { el.dataset.cleanedUp = "yes"; };
  },
};
"""

COUNTER_CSS = ".counter { color: rgb(200, 0, 0); }"


class Counter(anywidget.AnyWidget):
    _esm = COUNTER_ESM
    _css = COUNTER_CSS
    value = traitlets.Int(0).tag(sync=True)
    initialized = traitlets.Bool(False).tag(sync=True)
    blob = traitlets.Bytes(b"").tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.received: list[dict] = []
        self.on_msg(self._on_custom)

    @traitlets.validate("value")
    def _clamp(self, proposal):
        return min(proposal["value"], 10)

    def _on_custom(self, widget, content, buffers):
        self.received.append(content)
        if content.get("type") == "ping":
            self.send({"type": "pong", "n": content["n"]}, buffers=[b"\x01\x02\x03"])
        elif content.get("type") == "boom":
            raise RuntimeError("handler exploded")


def test_initialize_runs_and_reaches_python(standalone):
    w = Counter()
    h = standalone(w)
    h.sync()
    assert w.initialized is True
    expect(h.el.locator("button.counter")).to_have_text("count is 0")
    # _css was injected
    expect(h.el.locator("button.counter")).to_have_css("color", "rgb(200, 0, 0)")


def test_js_to_python_state(standalone):
    w = Counter()
    h = standalone(w)
    h.el.locator("button.counter").click()
    h.el.locator("button.counter").click()
    h.wait_until(lambda: w.value == 2)
    assert h.js_get("value") == 2
    # What travelled: two state updates from the page.
    updates = [m["state"] for m in h.to_python if m["method"] == "update"]
    assert {"value": 2} in updates


def test_python_to_js_state_without_explicit_sync(standalone):
    w = Counter()
    h = standalone(w)
    w.value = 7
    # The page polls Python while Playwright waits: no sync() needed for expect().
    expect(h.el.locator("button.counter")).to_have_text("count is 7")


def test_python_to_js_state_with_sync(standalone):
    w = Counter()
    h = standalone(w)
    w.value = 3
    h.sync()
    assert h.el.locator("button.counter").inner_text() == "count is 3"


def test_python_validation_overrides_front_end_value(standalone):
    # Like a kernel: the validator clamps 11 to 10 and ipywidgets sends 10 back.
    w = Counter(value=10)
    h = standalone(w)
    h.el.locator("button.counter").click()  # 10 -> 11 in the page
    h.sync()
    assert w.value == 10
    expect(h.el.locator("button.counter")).to_have_text("count is 10")
    assert h.js_get("value") == 10


def test_custom_messages_both_ways_with_buffers(standalone):
    w = Counter()
    h = standalone(w)
    h.el.locator("button.ping").click()
    expect(h.el.locator("output")).to_have_text("pong 1 1,2,3")
    assert w.received == [{"type": "ping", "n": 1}]
    assert h.custom_messages_to_js() == [{"type": "pong", "n": 1}]
    w.send({"type": "hello"})
    expect(h.el.locator("output")).to_have_text("hello")


def test_binary_trait_from_python(standalone):
    w = Counter(blob=b"\x00\x01")
    h = standalone(w)
    expect(h.el.locator(".blob")).to_have_text("0,1")
    w.blob = b"\x07\x08\x09"
    expect(h.el.locator(".blob")).to_have_text("7,8,9")


def test_two_views_share_one_model(standalone):
    w = Counter()
    h = standalone(w)
    second = h.render()
    h.view(second).locator("button.counter").click()
    h.sync()
    assert w.value == 1
    expect(h.view(0).locator("button.counter")).to_have_text("count is 1")
    h.remove_view(second)
    expect(h.view(second)).to_have_count(0)


def test_python_handler_errors_are_reported(standalone):
    w = Counter()
    h = standalone(w)
    h.el.locator("button.boom").click()
    with pytest.raises(HarnessError, match="handler exploded"):
        h.sync()
    h.check()  # errors are reported once


def test_page_errors_are_reported(standalone):
    w = Counter()
    h = standalone(w)
    h.page.evaluate("() => setTimeout(() => { throw new Error('kaput in the page'); }, 0)")
    with pytest.raises(HarnessError, match="kaput in the page"):
        h.wait_until(lambda: False, timeout=0.5)


def test_module_without_default_export_fails_clearly(standalone):
    class Broken(anywidget.AnyWidget):
        _esm = "export const nothing = 1;"

    with pytest.raises(HarnessError, match="no default export"):
        standalone(Broken())


def test_widget_comm_is_restored_after_close(standalone):
    w = Counter()
    original = w.comm
    h = standalone(w)
    assert w.comm is not original
    h.close()
    assert w.comm is original


def test_built_bundle_is_an_anywidget_module(page, harness_server, jw_bundle, jw_bundle_css):
    """static/widget.js imports in a browser, offline, and exports the anywidget lifecycle."""
    outside: list[str] = []

    def block_outside(route):
        if route.request.url.startswith(harness_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", block_outside)
    page.goto(harness_server.url + "/")
    url = harness_server.put_module(jw_bundle.read_text(encoding="utf-8"))
    exported = page.evaluate(
        """async (url) => {
            const mod = await import(url);
            const def = mod.default;
            const widget = typeof def === "function" ? await def() : def;
            return {
              kind: typeof def,
              render: typeof widget?.render,
              initialize: typeof widget?.initialize,
            };
        }""",
        url,
    )
    assert exported["render"] == "function", exported
    assert exported["initialize"] in ("function", "undefined"), exported
    assert outside == [], f"the bundle fetched from outside 127.0.0.1: {outside}"
    assert jw_bundle_css.stat().st_size > 0
