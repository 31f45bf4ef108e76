"""The journeywidget command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import journeywidget as jw
from journeywidget.cli import main
from journeywidget.export import html as html_mod

DATA = Path(__file__).parent / "data"
MALFORMED = DATA / "malformed"
SAMPLE = DATA / "export_sample.json"
METRICS = DATA / "export_sample_metrics.json"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def fake_bundle(tmp_path, monkeypatch):
    static = tmp_path / "static"
    static.mkdir()
    (static / "widget.js").write_text("export default { render({ model, el }) { el.textContent = 'ok'; } };")
    (static / "widget.css").write_text("")
    monkeypatch.setattr(html_mod, "STATIC_DIR", static)
    return static


# --------------------------------------------------------------------- validate
def test_validate_good_files(capsys):
    files = [str(SAMPLE)] + [str(t.path) for t in jw.templates()]
    code, out, _ = run(capsys, "validate", *files)
    assert code == 0
    assert f"{SAMPLE}: ok (5 stages, 10 touchpoints)" in out
    assert f"{len(files)} valid, 0 invalid" in out


def test_validate_suggestions(capsys):
    code, out, _ = run(capsys, "validate", "--suggestions", str(SAMPLE))
    assert code == 0
    assert "suggestion" in out


def _malformed_cases() -> list[tuple[str, str]]:
    expected = MALFORMED / "expected.json"
    if not expected.exists():
        return []
    return sorted(json.loads(expected.read_text(encoding="utf-8")).items())


def test_validate_malformed_corpus_names_the_json_path(capsys):
    cases = _malformed_cases()
    assert len(cases) >= 25, "the malformed corpus (tests/data/malformed) is missing"
    files = [str(MALFORMED / name) for name, _ in cases]
    code, out, _ = run(capsys, "validate", *files)
    assert code == 1
    blocks: dict[str, str] = {}
    current = None
    for line in out.splitlines():
        if not line.startswith(" ") and ": " in line and line.split(": ", 1)[0] in files:
            current = line.split(": ", 1)[0]
            blocks[current] = line + "\n"
        elif current:
            blocks[current] += line + "\n"
    for (name, path), f in zip(cases, files):
        assert f in blocks, f"no report for {name}"
        assert "invalid" in blocks[f].splitlines()[0], blocks[f]
        assert path in blocks[f], (name, path, blocks[f])
    assert f"0 valid, {len(files)} invalid" in out


def test_validate_mixed_and_missing_files(capsys, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": 1, "title": ""}', encoding="utf-8")
    code, out, _ = run(capsys, "validate", str(SAMPLE), str(bad), str(tmp_path / "nope.json"))
    assert code == 1
    assert f"{SAMPLE}: ok" in out
    assert f"{bad}: invalid" in out and "$.title" in out
    assert f"{tmp_path / 'nope.json'}: invalid" in out
    assert "1 valid, 2 invalid" in out


def test_validate_imports_csv_and_mermaid(capsys, tmp_path):
    j = jw.Journey.load(SAMPLE)
    csv_path, mmd_path = tmp_path / "m.csv", tmp_path / "m.mmd"
    jw.export.to_csv(j, csv_path)
    mmd_path.write_text(jw.export.to_mermaid(j), encoding="utf-8")
    code, out, _ = run(capsys, "validate", str(csv_path), str(mmd_path))
    assert code == 0, out
    broken = tmp_path / "broken.csv"
    broken.write_text("stage,name,emotion\nA,B,lots\n", encoding="utf-8")
    code, out, _ = run(capsys, "validate", str(broken))
    assert code == 1 and "row 1: emotion 'lots'" in out


# --------------------------------------------------------------------- render
@pytest.mark.parametrize("fmt, marker", [
    ("svg", "<svg "), ("md", "| Stage | Touchpoint |"), ("csv", "stage,touchpoint,channel"), ("mermaid", "journey\n"),
    ("json", '"schema_version": 1'),
])
def test_render_text_formats_to_stdout(capsys, fmt, marker):
    code, out, _ = run(capsys, "render", str(SAMPLE), "--to", fmt)
    assert code == 0
    assert marker in out


def test_render_with_metrics(capsys):
    code, out, _ = run(capsys, "render", str(SAMPLE), "--to", "md", "--metrics", str(METRICS))
    assert code == 0 and "## Funnel" in out and "| Customers | Share |" in out


def test_render_png_pdf_files(capsys, tmp_path):
    pytest.importorskip("vl_convert")
    from PIL import Image
    from pypdf import PdfReader

    png = tmp_path / "map.png"
    code, out, _ = run(capsys, "render", str(SAMPLE), "-o", str(png), "--scale", "1")
    assert code == 0 and out.strip() == str(png)
    assert Image.open(png).size[0] > 800
    pdf = tmp_path / "map.pdf"
    code, _, _ = run(capsys, "render", str(SAMPLE), "--to", "pdf", "-o", str(pdf))
    assert code == 0 and len(PdfReader(str(pdf)).pages) == 1


def test_render_default_output_next_to_input(capsys, tmp_path, fake_bundle):
    src = tmp_path / "journey.json"
    src.write_text(SAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    code, out, _ = run(capsys, "render", str(src))
    assert code == 0
    html = tmp_path / "journey.html"
    assert out.strip() == str(html) and html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    code, out, _ = run(capsys, "render", str(src), "--editable", "-o", str(tmp_path / "edit.html"))
    assert code == 0 and 'id="jw-download"' in (tmp_path / "edit.html").read_text(encoding="utf-8")


def test_render_xlsx(capsys, tmp_path):
    pytest.importorskip("openpyxl")
    out = tmp_path / "map.xlsx"
    code, _, _ = run(capsys, "render", str(SAMPLE), "-o", str(out))
    assert code == 0 and out.exists()
    assert len(jw.export.from_table(out).touchpoints) == 10


def test_render_errors(capsys, tmp_path):
    code, _, err = run(capsys, "render", str(MALFORMED / "empty_title.json"), "--to", "svg")
    assert code == 1 and "$.title" in err
    code, _, err = run(capsys, "render", str(SAMPLE), "--to", "png", "-o", "-")
    assert code == 2 and "binary" in err
    with pytest.raises(SystemExit) as e:
        main(["render", str(SAMPLE), "--to", "gif"])
    assert e.value.code == 2


def test_render_without_vl_convert(capsys, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "vl_convert", None)
    code, _, err = run(capsys, "render", str(SAMPLE), "-o", str(tmp_path / "x.png"))
    assert code == 1 and 'pip install "journeywidget[export]"' in err


# --------------------------------------------------------------------- templates / new
def test_templates_lists_names_and_titles(capsys):
    code, out, _ = run(capsys, "templates")
    assert code == 0
    for t in jw.templates():
        assert any(line.startswith(t.name) and line.rstrip().endswith(t.title) for line in out.splitlines())
    code, out, _ = run(capsys, "templates", "--json")
    assert {t["name"] for t in json.loads(out)} == {t.name for t in jw.templates()}


def test_new_from_template(capsys, tmp_path):
    out = tmp_path / "mine.json"
    code, stdout, _ = run(capsys, "new", "saas-onboarding", "-o", str(out), "--title", "Our onboarding")
    assert code == 0 and stdout.strip() == str(out)
    j = jw.Journey.load(out)
    assert j.title == "Our onboarding"
    assert len(j.stages) == len(jw.Journey.from_template("saas-onboarding").stages)
    code, _, err = run(capsys, "new", "saas-onboarding", "-o", str(out))
    assert code == 1 and "exists" in err
    code, _, _ = run(capsys, "new", "saas-onboarding", "-o", str(out), "--force")
    assert code == 0
    code, _, err = run(capsys, "new", "no-such-template", "-o", str(tmp_path / "x.json"))
    assert code == 1 and "no-such-template" in err
    assert not (tmp_path / "x.json").exists()


def test_no_command_prints_help(capsys):
    code, out, _ = run(capsys)
    assert code == 2 and "validate" in out and "render" in out


# --------------------------------------------------------------------- as a program
def test_python_dash_m_and_light_startup(tmp_path):
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    r = subprocess.run([sys.executable, "-m", "journeywidget", "templates"], capture_output=True, text=True, env=env)
    assert r.returncode == 0 and "saas-onboarding" in r.stdout
    r = subprocess.run([sys.executable, "-m", "journeywidget", "validate", str(MALFORMED / "empty_title.json")],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 1 and "$.title" in r.stdout
    code = (
        "import sys, journeywidget.cli as c; c.build_parser();"
        "print(','.join(m for m in ('pydantic','pandas','vl_convert','anywidget','numpy') if m in sys.modules))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert r.stdout.strip() == ""


# --------------------------------------------------------------------- demo
def test_demo_writes_an_html_report_bound_to_sample_data(capsys, tmp_path, fake_bundle):
    out = tmp_path / "demo.html"
    code, stdout, _ = run(capsys, "demo", "-o", str(out), "--customers", "400", "--seed", "3")
    assert code == 0
    assert stdout.strip() == str(out.resolve())
    page = out.read_text(encoding="utf-8")
    data = json.loads(page.split('<script type="application/json" id="jw-data">', 1)[1].split("</script>", 1)[0])
    state = data["state"]
    doc = state[data["traits"]["doc"]]
    assert doc["title"] == jw.Journey.from_template("ecommerce-purchase").title
    metrics = state["_metrics"]
    assert set(metrics["touchpoints"]) <= {t["id"] for t in doc["touchpoints"]}
    reached = [m["customers"] for m in metrics["touchpoints"].values()]
    assert max(reached) > 0 and max(reached) <= 400
    first_stage = doc["stages"][0]["id"]
    assert 0 < metrics["stages"][first_stage]["customers"] <= 400
    assert metrics["feedback"]  # survey answers bound too
    assert "overlay" in state["_charts"].get("specs", {})
    # the static picture in the page carries the numbers too
    assert 'class="jw-funnel"' in page and "jw-badge-customers" in page
