"""Render an anywidget in a plain page, bridged to the real Python widget.

No Jupyter server and no kernel: the page is served from 127.0.0.1 by a tiny
http.server thread, ``harness.js`` plays the widget manager (the model object
anywidget gives a widget's ES module) and the Python widget's comm is replaced
by :class:`HarnessComm`, so every message that ipywidgets would put on the
wire goes to the page instead, and every message from the page reaches the
widget through ``Widget._handle_msg`` exactly as the kernel would deliver it
(state updates with the property lock and echo, custom messages to
``on_msg`` handlers).

Usage (through the ``standalone`` fixture of tests/e2e/conftest.py)::

    def test_counter(standalone):
        w = Counter()
        h = standalone(w)                 # loads w._esm / w._css, renders one view
        h.el.get_by_role("button").click()
        h.sync()                          # flush JS -> Python -> JS
        assert w.value == 1
        w.value = 10                      # Python -> JS
        expect(h.el.get_by_role("button")).to_have_text("count is 10")

Threading: Playwright's sync API runs its event loop on the test thread, so the
bridge callbacks run on the test thread too, only while the test is inside a
Playwright call (a click, an ``expect``, :meth:`StandaloneHarness.sync`...).
After an interaction, call ``h.sync()`` (or ``h.wait_until(...)``) before
reading Python state; Python-side changes reach the page by themselves within
~25 ms of the next Playwright call, and ``h.sync()`` forces them.
"""

from __future__ import annotations

import base64
import datetime as _dt
import itertools
import json
import logging
import threading
import time
import weakref
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HARNESS_JS = Path(__file__).with_name("harness.js")

INDEX_HTML = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>journeywidget standalone harness</title>
<style>
  body { margin: 0; padding: 16px; font-family: system-ui, sans-serif; background: #fff; }
</style>
<script type="module" src="/harness.js"></script>
</head>
<body>
<main id="jw-harness-root"></main>
</body>
</html>
"""


class HarnessError(AssertionError):
    """Something went wrong in the page or in a Python widget handler."""


# ---------------------------------------------------------------------------
# HTTP server (session scoped)
# ---------------------------------------------------------------------------


class HarnessServer:
    """Serves the harness page and registered ES modules from memory on 127.0.0.1."""

    def __init__(self) -> None:
        self._files: dict[str, tuple[str, bytes]] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.put("/", "text/html; charset=utf-8", INDEX_HTML.encode())
        self.put("/harness.js", "text/javascript; charset=utf-8", HARNESS_JS.read_bytes())
        self.put("/favicon.ico", "image/x-icon", b"")
        files = self._files
        lock = self._lock

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                path = self.path.split("?", 1)[0]
                with lock:
                    entry = files.get(path)
                if entry is None:
                    self.send_error(404)
                    return
                ctype, body = entry
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, name="jw-harness-http", daemon=True
        )
        self._thread.start()

    def put(self, path: str, content_type: str, body: bytes) -> str:
        with self._lock:
            self._files[path] = (content_type, body)
        return path

    def put_module(self, source: str) -> str:
        """Register an ES module's source; returns its URL."""
        path = f"/modules/{next(self._ids)}.js"
        self.put(path, "text/javascript; charset=utf-8", source.encode())
        return self.url + path

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# ---------------------------------------------------------------------------
# The comm that stands in for the kernel
# ---------------------------------------------------------------------------


class HarnessComm:
    """Duck-types ``comm.base_comm.BaseComm`` as far as ipywidgets uses it."""

    def __init__(self, comm_id: str, harness: StandaloneHarness) -> None:
        self.comm_id = comm_id
        self.kernel = "standalone-harness"  # ipywidgets only sends when this is not None
        self.target_name = "jupyter.widget"
        self._harness = weakref.ref(harness)
        self._msg_callback: Callable[[dict], Any] | None = None
        self._close_callback: Callable[[dict], Any] | None = None

    def send(self, data=None, metadata=None, buffers=None) -> None:
        harness = self._harness()
        if harness is not None:
            harness._outbox.append((data or {}, list(buffers or [])))

    def on_msg(self, callback) -> None:
        self._msg_callback = callback

    def on_close(self, callback) -> None:
        self._close_callback = callback

    def open(self, *args, **kwargs) -> None:
        pass

    def close(self, data=None, metadata=None, buffers=None, deleting=False) -> None:
        harness = self._harness()
        if harness is not None:
            harness._comm_closed = True

    def handle_msg(self, msg: dict) -> None:
        if self._msg_callback is not None:
            self._msg_callback(msg)


def _json_default(obj: Any) -> Any:
    # What jupyter_client's json_default does for the common cases.
    if isinstance(obj, (_dt.datetime, _dt.date)):
        return obj.isoformat()
    if isinstance(obj, (set, frozenset, tuple)):
        return list(obj)
    raise TypeError(f"{type(obj).__name__} is not JSON serializable: {obj!r:.200}")


def _b64(buf: Any) -> str:
    return base64.b64encode(bytes(buf)).decode("ascii")


class _ErrorCapture(logging.Handler):
    """ipywidgets logs (and swallows) exceptions raised by widget handlers; keep them."""

    def __init__(self, sink: list[str]) -> None:
        super().__init__(level=logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.sink.append("python: " + self.format(record))


# Page -> {hid: harness}; the bindings are exposed once per page.
_PAGES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_HIDS = itertools.count(1)
# Page -> {model id: [harness of a referenced widget, how many harnesses use it]}.
_REFS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _page_registry(page, server: HarnessServer) -> dict[int, StandaloneHarness]:
    registry = _PAGES.get(page)
    if registry is not None:
        return registry
    registry = {}
    _PAGES[page] = registry

    def to_python(hid: int, payload: str) -> str:
        harness = registry.get(hid)
        return harness._from_js(payload) if harness else "[]"

    def poll(hid: int) -> str:
        harness = registry.get(hid)
        return harness._drain() if harness else "[]"

    page.expose_function("__jwHarnessToPython", to_python)
    page.expose_function("__jwHarnessPoll", poll)
    page.goto(server.url + "/")
    page.wait_for_function("() => window.__jwHarness && window.__jwHarness.ready")
    return registry


# ---------------------------------------------------------------------------
# The harness
# ---------------------------------------------------------------------------


class StandaloneHarness:
    """One Python widget rendered in ``page``; attribute access falls through to the page."""

    def __init__(
        self,
        page,
        server: HarnessServer,
        widget,
        *,
        esm: str | Path | None = None,
        css: str | Path | None = None,
        model_only: bool = False,
    ) -> None:
        self.page = page
        self.server = server
        self.widget = widget
        self.hid = next(_HIDS)
        self.errors: list[str] = []
        self.console: list[str] = []
        self.to_js: list[dict] = []  # every message Python sent (data part)
        self.to_python: list[dict] = []  # every message the page sent (data part)
        self._outbox: list[tuple[dict, list]] = []
        self._comm_closed = False
        self._seen_js_errors = 0
        self._closed = False
        self.refs: list[StandaloneHarness] = []  # widgets this one references, mounted first

        if not model_only:
            esm_source = _read_source(esm if esm is not None else getattr(widget, "_esm", None))
            if not esm_source:
                raise HarnessError(f"{type(widget).__name__} has no _esm and no esm= was given")
            css_source = _read_source(css if css is not None else getattr(widget, "_css", None)) or ""
            if esm_source.startswith(("http://", "https://")):
                esm_url = esm_source
            else:
                esm_url = server.put_module(esm_source)

        # Swap the widget's comm for ours: from now on ipywidgets talks to the page.
        self._original_comm = widget.comm
        self.comm = HarnessComm(widget.model_id, self)
        widget.comm = self.comm
        self._log_handler = _ErrorCapture(self.errors)
        self._loggers = {widget.log, widget._msg_callbacks.log}
        for logger in self._loggers:
            logger.addHandler(self._log_handler)

        page.on("pageerror", self._on_pageerror)
        page.on("console", self._on_console)
        self._registry = _page_registry(page, server)
        self._registry[self.hid] = self

        from ipywidgets.widgets.widget import _remove_buffers

        state, buffer_paths, buffers = _remove_buffers(widget.get_state())
        init = self._encode(
            {"method": "update", "state": state, "buffer_paths": buffer_paths}, buffers
        )
        if model_only:
            page.evaluate("([hid, init, id]) => window.__jwHarness.mountModel(hid, init, id)",
                          [self.hid, init, widget.model_id])
            self.views = []
            return
        self._mount_references(state)
        try:
            page.evaluate(
                "([hid, init, url, css, id]) => window.__jwHarness.mount("
                "hid, init, url, css, 'jw-harness-root', id)",
                [self.hid, init, esm_url, css_source, widget.model_id],
            )
        except Exception as exc:
            raise HarnessError(
                f"mounting {type(widget).__name__} failed: {exc}\n" + self._error_report()
            ) from exc
        self.views = [0]

    def _mount_references(self, state: dict) -> None:
        """Mount the widgets ``state`` references (``IPY_MODEL_<id>``) as models, once per page."""
        from ipywidgets.widgets.widget import _instances

        mounted = _REFS.setdefault(self.page, {})
        for value in state.values():
            if not (isinstance(value, str) and value.startswith("IPY_MODEL_")):
                continue
            model_id = value[len("IPY_MODEL_"):]
            entry = mounted.get(model_id)
            if entry is None:
                target = _instances.get(model_id)
                if target is None:
                    continue  # not a widget of this process: get_model fails in the page
                entry = mounted[model_id] = [StandaloneHarness(self.page, self.server, target, model_only=True), 0]
            entry[1] += 1
            self.refs.append(entry[0])

    # -- locators -------------------------------------------------------------

    def view(self, index: int = 0):
        """Locator of the ``el`` handed to ``render`` for view ``index``."""
        return self.page.locator(f'[data-harness-widget="{self.hid}"][data-harness-view="{index}"]')

    @property
    def el(self):
        return self.view(0)

    def __getattr__(self, name: str):
        # harness.get_by_role(...), harness.screenshot(...), ... act on the page.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.page, name)

    # -- views ------------------------------------------------------------------

    def render(self) -> int:
        """Add one more view of the same model (like displaying the widget twice)."""
        index = self.page.evaluate(
            "([hid]) => window.__jwHarness.render(hid, 'jw-harness-root')", [self.hid]
        )
        self.views.append(index)
        return index

    def remove_view(self, index: int) -> None:
        self.page.evaluate("([hid, i]) => window.__jwHarness.removeView(hid, i)", [self.hid, index])

    # -- synchronisation --------------------------------------------------------

    def sync(self, *, check: bool = True) -> None:
        """Flush pending messages both ways until quiet; then raise on any error."""
        for _ in range(20):
            self.page.evaluate("([hid]) => window.__jwHarness.flush(hid)", [self.hid])
            for ref in self.refs:  # a referenced widget only talks when Python changed it
                if ref._outbox:
                    self.page.evaluate("([hid]) => window.__jwHarness.flush(hid)", [ref.hid])
            if not self._outbox and not any(ref._outbox for ref in self.refs):
                break
        else:
            raise HarnessError("standalone harness: Python keeps sending messages")
        if check:
            self.check()

    def wait_until(
        self, predicate: Callable[[], Any], *, timeout: float = 5.0, message: str = ""
    ) -> Any:
        """Pump the bridge until ``predicate()`` is truthy (Python-side conditions)."""
        deadline = time.monotonic() + timeout
        while True:
            self.sync(check=False)
            value = predicate()
            if value:
                self.check()
                return value
            if time.monotonic() > deadline:
                self.check()
                raise HarnessError(
                    message or f"timed out after {timeout}s waiting for {_describe(predicate)}"
                )
            self.page.wait_for_timeout(25)

    def js_state(self) -> dict:
        """The front-end model's attributes (what ``model.get`` returns), JSON-ified."""
        return self.page.evaluate("([hid]) => window.__jwHarness.state(hid)", [self.hid])

    def js_get(self, name: str) -> Any:
        return self.js_state().get(name)

    def custom_messages_to_python(self) -> list[Any]:
        return [m["content"] for m in self.to_python if m.get("method") == "custom"]

    def custom_messages_to_js(self) -> list[Any]:
        return [m["content"] for m in self.to_js if m.get("method") == "custom"]

    # -- errors -------------------------------------------------------------------

    def _collect_js_errors(self) -> None:
        try:
            js_errors = self.page.evaluate("() => window.__jwHarness.errors()")
        except Exception:  # page closed or navigated away
            return
        for text in js_errors[self._seen_js_errors :]:
            self.errors.append("js: " + text)
        self._seen_js_errors = len(js_errors)

    def check(self) -> None:
        """Raise :class:`HarnessError` if the page or a Python handler failed so far."""
        self._collect_js_errors()
        if self.errors:
            report = self._error_report()
            self.errors.clear()
            raise HarnessError(report)

    def _error_report(self) -> str:
        lines = ["standalone harness errors:"]
        lines += [f"  - {e}" for e in self.errors] or ["  (none recorded)"]
        if self.console:
            lines.append("browser console (last 30):")
            lines += [f"  {c}" for c in self.console[-30:]]
        return "\n".join(lines)

    def _on_pageerror(self, error) -> None:
        self.errors.append(f"pageerror: {error}")

    def _on_console(self, msg) -> None:
        self.console.append(f"[{msg.type}] {msg.text}")

    # -- the bridge (runs on the test thread, inside Playwright calls) ---------------

    def _encode(self, data: dict, buffers: list) -> str:
        try:
            return json.dumps(
                {"data": data, "buffers": [_b64(b) for b in buffers]},
                allow_nan=False,
                default=_json_default,
            )
        except (TypeError, ValueError) as exc:
            self.errors.append(
                f"python: message to the front end is not valid JSON ({exc}); "
                f"Jupyter would refuse or mangle it: {str(data)[:300]}"
            )
            raise

    def _drain(self) -> str:
        out = []
        while self._outbox:
            data, buffers = self._outbox.pop(0)
            self.to_js.append(data)
            try:
                out.append(self._encode(data, buffers))
            except (TypeError, ValueError):
                continue
        return "[" + ",".join(out) + "]"

    def _from_js(self, payload: str) -> str:
        try:
            message = json.loads(payload)
            data = message["data"]
            self.to_python.append(data)
            buffers = [memoryview(base64.b64decode(b)) for b in message.get("buffers", [])]
            msg = {
                "header": {"msg_type": "comm_msg"},
                "parent_header": {},
                "metadata": {},
                "content": {"comm_id": self.comm.comm_id, "data": data},
                "buffers": buffers,
            }
            self.comm.handle_msg(msg)
        except Exception as exc:  # keep the bridge alive; report at the next check()
            self.errors.append(f"python: handling {payload[:200]}: {exc!r}")
        return self._drain()

    # -- teardown -------------------------------------------------------------------

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            if not self.page.is_closed():
                self.page.evaluate("([hid]) => window.__jwHarness.close(hid)", [self.hid])
                self._collect_js_errors()
        except Exception:
            pass
        self._registry.pop(self.hid, None)
        for logger in self._loggers:
            logger.removeHandler(self._log_handler)
        try:
            self.page.remove_listener("pageerror", self._on_pageerror)
            self.page.remove_listener("console", self._on_console)
        except Exception:
            pass
        if self.widget.comm is self.comm:
            self.widget.comm = self._original_comm
        mounted = _REFS.get(self.page, {})
        for ref in self.refs:
            entry = mounted.get(ref.widget.model_id)
            if entry is not None and entry[0] is ref:
                entry[1] -= 1
                if entry[1] <= 0:
                    del mounted[ref.widget.model_id]
                    ref.close()
        self.refs = []


def _describe(predicate: Callable) -> str:
    try:
        import inspect

        return inspect.getsource(predicate).strip()
    except (OSError, TypeError):
        return repr(predicate)


def _read_source(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, Path):
        return value.read_text(encoding="utf-8")
    text = str(value)
    return text
