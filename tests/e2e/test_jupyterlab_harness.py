"""The JupyterLab fixture itself: a real server, kernel, ipywidgets and anywidget."""

from __future__ import annotations

import json

from playwright.sync_api import expect

PROBE_WIDGET = '''
import anywidget, traitlets

class Probe(anywidget.AnyWidget):
    _esm = """
    export default {
      render({ model, el }) {
        const b = document.createElement("button");
        b.className = "jw-probe";
        const show = () => { b.textContent = `probe ${model.get("value")}`; };
        b.addEventListener("click", () => {
          model.set("value", model.get("value") + 1);
          model.save_changes();
        });
        model.on("change:value", show);
        show();
        el.appendChild(b);
      },
    };
    """
    value = traitlets.Int(0).tag(sync=True)

probe = Probe()
probe
'''


def test_server_is_up(jupyterlab):
    status = jupyterlab.api("GET", "/api/status")
    assert "started" in status
    specs = jupyterlab.api("GET", "/api/kernelspecs")
    assert "python3" in specs["kernelspecs"]


def test_print_and_ipywidgets(lab_notebook):
    nb = lab_notebook(["print(1 + 1)", "import ipywidgets as w\nw.IntSlider(value=5, max=9)"])
    out = nb.run_cell(0)
    expect(out).to_contain_text("2")
    out = nb.run_cell(1)
    expect(out.locator(".widget-slider")).to_be_visible()
    expect(out.locator(".widget-readout")).to_have_text("5")


def test_run_all_from_the_menu(lab_notebook):
    nb = lab_notebook(["x = 40", "print(x + 2)"])
    nb.run_all()
    expect(nb.output(1)).to_contain_text("42")


def test_anywidget_renders_and_syncs_with_the_kernel(lab_notebook):
    nb = lab_notebook([PROBE_WIDGET])
    out = nb.run_cell(0)
    button = out.locator("button.jw-probe")
    expect(button).to_have_text("probe 0")
    button.click()
    button.click()
    expect(button).to_have_text("probe 2")
    # The kernel saw both clicks ...
    check = nb.run_code("import json; print(json.dumps({'value': probe.value}))")
    expect(check).to_contain_text('"value": 2')
    assert json.loads(check.inner_text().strip()) == {"value": 2}
    # ... and a kernel-side change reaches the page.
    nb.run_code("probe.value = 40")
    expect(button).to_have_text("probe 40")
