"""Static exports: SVG picture, PNG/PDF through vl-convert, the notebook fallback, standalone HTML (no browser)."""

from __future__ import annotations

import base64
import io
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

import journeywidget as jw
from journeywidget.export import html as html_mod
from journeywidget.export.svg import to_svg
from journeywidget.export.textmetrics import text_width, wrap

DATA = Path(__file__).parent / "data"
ARTIFACTS = Path(__file__).parent / "artifacts"
SVG_NS = "{http://www.w3.org/2000/svg}"

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "</text><script>alert(1)</script>",
    "</svg><script>alert(1)</script>",
    "\"><script>alert(1)</script>",
    "'><img src=x onerror=alert(1)>",
    "\" onmouseover=\"alert(1)",
    "' onfocus='alert(1)' autofocus='",
    "<a href=\"javascript:alert(1)\">click</a>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<foreignObject><body onload=alert(1)></foreignObject>",
    "]]><script>alert(1)</script><![CDATA[",
    "<!--<script>alert(1)</script>-->",
    "</script><script>alert(1)</script>",
    "</noscript><img src=x onerror=alert(1)>",
    "</style><script>alert(1)</script>",
    "<style>*{display:none}</style>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "<details open ontoggle=alert(1)>",
    "<body onload=alert(1)>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<use href=\"data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>#x\"/>",
    "{{constructor.constructor('alert(1)')()}}",
    "<x onclick=alert(1)>| pipe | [link](javascript:alert(1)) **bold**",
    "\u2028<script>alert(1)</script>\u2029",
]
_shared = DATA / "xss_payloads.json"
if _shared.exists():
    try:
        _more = json.loads(_shared.read_text(encoding="utf-8"))
        if isinstance(_more, dict):
            _more = _more.get("payloads", [])
        XSS_PAYLOADS += [p for p in _more if isinstance(p, str) and p not in XSS_PAYLOADS]
    except ValueError:
        pass


def sample_doc() -> dict:
    return json.loads((DATA / "export_sample.json").read_text(encoding="utf-8"))


def sample_metrics() -> dict:
    return json.loads((DATA / "export_sample_metrics.json").read_text(encoding="utf-8"))


def xss_doc(payloads=XSS_PAYLOADS) -> dict:
    """The sample map with payloads in every text field the pictures show."""
    doc = sample_doc()
    p = list(payloads)

    def take(i: int) -> str:
        return p[i % len(p)]

    doc["title"] = take(0)
    doc["description"] = take(1)
    doc["tags"] = [take(2)[:100]]
    per = doc["personas"][0]
    per.update(name=take(3), description=take(4), quote=take(5), goals=[take(6)])
    doc["goals"][0].update(name=take(7), unit=take(8)[:40])
    for i, s in enumerate(doc["stages"]):
        s["name"] = take(9 + i)
        s["customer_goal"] = take(14 + i)
    for i, lane in enumerate(doc["lanes"]):
        lane["title"] = take(19 + i)
    for i, tp in enumerate(doc["touchpoints"]):
        tp["name"] = take(i)
        tp["pain_points"] = [take(i + 1)]
        tp["metric"] = take(i + 2)
        tp["channel"] = take(i + 3)[:60]
    for i, c in enumerate(doc["cards"]):
        c["text"] = take(i + 5)
    # every payload somewhere, in full, as a card
    for i, payload in enumerate(p):
        doc["cards"].append({"id": f"xss-{i}", "lane": "thoughts", "stage": "awareness", "text": payload})
    return jw.Journey.from_dict(doc).to_dict()  # the model accepts all of it


def parse_svg(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def assert_svg_inert(svg: str) -> None:
    root = parse_svg(svg)  # well-formed XML
    for el in root.iter():
        tag = el.tag.replace(SVG_NS, "")
        assert tag not in ("script", "foreignObject", "iframe", "a", "use", "image", "style"), tag
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on"), (tag, name)
            assert "href" not in name.lower() and name.lower() != "src", (tag, name)
            if name not in ("aria-label",) and not name.startswith("data-"):
                assert "javascript:" not in value.lower(), (tag, name, value)


# --------------------------------------------------------------------- SVG
def test_svg_structure_matches_the_map():
    doc = sample_doc()
    svg = to_svg(doc)
    root = parse_svg(svg)
    assert root.tag == SVG_NS + "svg"
    groups = {}
    for el in root.iter(SVG_NS + "g"):
        for cls in (el.get("class") or "").split():
            groups.setdefault(cls, []).append(el)
    assert [g.get("data-id") for g in groups["jw-stage"]] == [s["id"] for s in doc["stages"]]
    assert [g.get("data-id") for g in groups["jw-lane"]] == [lane["id"] for lane in doc["lanes"]]
    assert sorted(g.get("data-id") for g in groups["jw-touchpoint"]) == sorted(t["id"] for t in doc["touchpoints"])
    with_emotion = [t["id"] for t in doc["touchpoints"] if t["emotion"] is not None]
    assert [g.get("data-id") for g in groups["jw-emotion-point"]] == with_emotion
    assert len(groups["jw-card"]) == len(doc["cards"])
    assert len(groups["jw-persona"]) == 1
    # the curve is drawn, coloured by sentiment
    assert root.find(f".//{SVG_NS}path[@class='jw-emotion-curve']") is not None
    classes = " ".join(g.get("class") for g in groups["jw-emotion-point"])
    assert "jw-positive" in classes and "jw-negative" in classes and "jw-neutral" in classes
    # touchpoint order within a stage follows the document: x grows along the list
    text = "".join(root.itertext())
    for s in doc["stages"]:
        assert s["name"].split()[0] in text
    for t in doc["touchpoints"]:
        assert t["name"].split()[0] in text
    # escaped, not dropped
    assert "Delivery &amp; onboarding" in svg
    assert "Delivery & onboarding" in text
    # channel labels
    assert "WEB" in text and "MOBILE APP" in text and "PARTNER-CLUB" in text
    # no metrics: no badges, no funnel
    assert "jw-badge-customers" not in svg and "jw-funnel" not in svg


def test_svg_moments_of_truth_are_marked():
    doc = sample_doc()
    root = parse_svg(to_svg(doc))
    mot = [t["id"] for t in doc["touchpoints"] if t["moment_of_truth"]]
    assert len(mot) == 2
    for g in root.iter(SVG_NS + "g"):
        cls = g.get("class") or ""
        if "jw-touchpoint" in cls.split() or "jw-emotion-point" in cls.split():
            stars = [p for p in g.iter(SVG_NS + "path") if p.get("class") == "jw-mot"]
            assert bool(stars) == (g.get("data-id") in mot), g.get("data-id")


def test_svg_metrics_badges_and_funnel():
    doc, metrics = sample_doc(), sample_metrics()
    svg = to_svg(doc, metrics=metrics)
    root = parse_svg(svg)
    badges = [g for g in root.iter(SVG_NS + "g") if "jw-badge-customers" in (g.get("class") or "")]
    assert len(badges) == len(metrics["touchpoints"])
    funnels = [g for g in root.iter(SVG_NS + "g") if g.get("class") == "jw-funnel"]
    assert len(funnels) == len(doc["stages"])
    text = "".join(root.itertext())
    assert "12k" in text  # search-ad customers
    assert "80%" in text  # its share
    assert "15k" in text  # awareness stage customers
    assert "67% conv." in text
    assert "58% drop-off" in text
    assert "Median minutes" in text and "3.4" in text  # other metrics in the metrics lane
    # a JourneyMetrics-like object is accepted too
    class FakeMetrics:
        def to_payload(self):
            return metrics

    assert to_svg(doc, metrics=FakeMetrics()) == svg


def test_svg_accepts_journey_objects_and_writes_files(tmp_path):
    j = jw.Journey.from_dict(sample_doc())
    out = tmp_path / "map.svg"
    svg = to_svg(j, out)
    assert out.read_text(encoding="utf-8") == svg
    assert svg == to_svg(j.to_dict())


def test_svg_without_stages_or_lanes():
    j = jw.Journey("Empty map")
    root = parse_svg(to_svg(j))
    assert "This map has no stages yet." in "".join(root.itertext())
    doc = sample_doc()
    doc["lanes"] = []  # touchpoints and the curve are still drawn
    svg = to_svg(doc)
    assert svg.count('class="jw-touchpoint"') == len(doc["touchpoints"])
    assert "jw-emotion-curve" in svg


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_svg_escapes_every_payload(payload):
    doc = sample_doc()
    doc["title"] = payload
    doc["touchpoints"][0]["name"] = payload
    doc["stages"][0]["name"] = payload
    doc["cards"][0]["text"] = payload
    svg = to_svg(doc)
    assert_svg_inert(svg)
    if any(c in payload for c in "<>&\"'"):
        assert payload not in svg
    root = parse_svg(svg)
    # the text survives as text: the picture's <title> holds the full title
    title = root.find(SVG_NS + "title").text
    assert title == payload.replace("\u2028", "").replace("\u2029", "") or title == payload


def test_svg_all_fields_hostile():
    doc = xss_doc()
    for metrics in (None, sample_metrics()):
        svg = to_svg(doc, metrics=metrics)
        assert_svg_inert(svg)
        for p in XSS_PAYLOADS:
            if "<" in p:
                assert p not in svg


def test_svg_drops_characters_xml_forbids():
    doc = sample_doc()
    doc["title"] = "Bell\x07 and escape\x1b[31m and nul\x00"
    doc["touchpoints"][0]["name"] = "tab\tand\x0bvertical"
    svg = to_svg(doc)
    root = parse_svg(svg)
    assert root.find(SVG_NS + "title").text == "Bell and escape[31m and nul"


def test_text_wrapper_respects_width():
    text = "Searches the web for running shoes, reads reviews and compares three models in detail"
    lines = wrap(text, 150, 12)
    assert len(lines) > 1
    assert all(text_width(line, 12) <= 150 for line in lines)
    assert " ".join(lines) == text
    long = wrap("Donaudampfschifffahrtsgesellschaftskapitän", 60, 12)
    assert len(long) > 1 and "".join(long) == "Donaudampfschifffahrtsgesellschaftskapitän"
    cut = wrap(text, 100, 12, max_lines=2)
    assert len(cut) == 2 and cut[-1].endswith("\u2026")
    assert text_width("WWW", 12) > text_width("iii", 12)
    assert text_width("日本語", 12) == pytest.approx(36)
    assert wrap("line one\nline two", 500, 12) == ["line one", "line two"]


def test_overlays_hook_places_svg_fragments_and_vega_lite(pytest_vlc=None):
    pytest.importorskip("vl_convert")
    doc = sample_doc()
    base = to_svg(doc)
    frag = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><rect class="probe" width="200" height="100" fill="red"/></svg>'
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "data": {"values": [{"stage": "A", "n": 10}, {"stage": "B", "n": 6}]},
        "mark": "bar",
        "encoding": {"x": {"field": "stage", "type": "nominal"}, "y": {"field": "n", "type": "quantitative"}},
    }
    svg = to_svg(doc, overlays=[{"title": "Probe", "svg": frag}, spec])
    root = parse_svg(svg)
    charts = [g for g in root.iter(SVG_NS + "g") if g.get("class") == "jw-chart"]
    assert len(charts) == 2
    assert root.find(f".//{SVG_NS}rect[@class='probe']") is not None
    assert float(root.get("height")) > float(parse_svg(base).get("height"))


# --------------------------------------------------------------------- PNG / PDF
def test_png_has_the_expected_size():
    pytest.importorskip("vl_convert")
    from PIL import Image

    doc = sample_doc()
    root = parse_svg(to_svg(doc, metrics=sample_metrics()))
    w, h = float(root.get("width")), float(root.get("height"))
    data = jw.export.to_png(doc, scale=2, metrics=sample_metrics())
    img = Image.open(io.BytesIO(data))
    img.load()
    assert img.format == "PNG"
    assert abs(img.size[0] - 2 * w) <= 1 and abs(img.size[1] - 2 * h) <= 1
    # not a blank picture: many colours, mostly white paper
    colours = img.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 50


def test_pdf_has_one_page(tmp_path):
    pytest.importorskip("vl_convert")
    from pypdf import PdfReader

    out = tmp_path / "map.pdf"
    data = jw.export.to_pdf(jw.Journey.from_dict(sample_doc()), out)
    assert out.read_bytes() == data and data.startswith(b"%PDF")
    reader = PdfReader(str(out))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    root = parse_svg(to_svg(sample_doc()))
    assert float(box.width) == pytest.approx(float(root.get("width")), rel=0.02)


@pytest.mark.parametrize("name", ["saas-onboarding", "ecommerce-purchase"])
def test_template_pictures_saved_for_review(name):
    pytest.importorskip("vl_convert")
    from PIL import Image

    j = jw.Journey.from_template(name)
    ARTIFACTS.mkdir(exist_ok=True)
    ignore = ARTIFACTS / ".gitignore"  # review pictures never land in git
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
    out = ARTIFACTS / f"{name}.png"
    jw.export.to_png(j, out, scale=1)
    img = Image.open(out)
    assert img.size[0] > 800 and img.size[1] > 400
    svg = to_svg(j)
    assert_svg_inert(svg)
    assert svg.count('class="jw-touchpoint"') == len(j.touchpoints)


def test_missing_vl_convert_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "vl_convert", None)
    with pytest.raises(ImportError, match=re.escape('pip install "journeywidget[export]"')):
        jw.export.to_png(sample_doc())
    with pytest.raises(ImportError, match=re.escape("journeywidget[export]")):
        jw.export.to_pdf(sample_doc())
    # the notebook fallback simply leaves the PNG out
    bundle = jw.export.mimebundle_fallback(sample_doc())
    assert "image/png" not in bundle and "image/svg+xml" in bundle


# --------------------------------------------------------------------- notebook fallback
def test_mimebundle_fallback():
    pytest.importorskip("vl_convert")
    from PIL import Image

    j = jw.Journey.from_dict(sample_doc())
    bundle = jw.export.mimebundle_fallback(j, metrics=sample_metrics())
    assert set(bundle) == {"text/html", "image/svg+xml", "image/png"}
    assert bundle["text/html"].startswith('<div class="jw-static"')
    assert bundle["image/svg+xml"] in bundle["text/html"]
    parse_svg(bundle["image/svg+xml"])
    img = Image.open(io.BytesIO(base64.b64decode(bundle["image/png"])))
    assert img.size[0] > 800
    # the Journey shows the same picture in a notebook
    rb = j._repr_mimebundle_()
    assert "image/svg+xml" in rb and "text/html" in rb
    assert 'class="jw-touchpoint"' in rb["image/svg+xml"]


# --------------------------------------------------------------------- standalone HTML (structure)
class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self._in_script: dict | None = None
        self._buf: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script, self._buf = dict(attrs), []

    def handle_data(self, data):
        if self._in_script is not None:
            self._buf.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._in_script is not None:
            self.scripts.append((self._in_script, "".join(self._buf)))
            self._in_script = None


FAKE_BUNDLE = """export default {
  render({ model, el }) {
    const doc = model.get("_doc");
    const h = document.createElement("h1");
    h.textContent = doc.title + " </script> <!-- ";
    el.appendChild(h);
  },
};
"""


@pytest.fixture
def fake_bundle(tmp_path, monkeypatch):
    static = tmp_path / "static"
    static.mkdir()
    (static / "widget.js").write_text(FAKE_BUNDLE, encoding="utf-8")
    (static / "widget.css").write_text(".jw { color: red } /* </style> */", encoding="utf-8")
    monkeypatch.setattr(html_mod, "STATIC_DIR", static)
    return static


def test_html_is_self_contained(fake_bundle, tmp_path):
    out = tmp_path / "map.html"
    page = jw.export.to_html(jw.Journey.from_dict(sample_doc()), out, metrics=sample_metrics())
    assert out.read_text(encoding="utf-8") == page
    p = _Tags()
    p.feed(page)
    scripts = p.scripts
    kinds = [(a.get("type"), a.get("id")) for a, _ in scripts]
    assert kinds == [("application/json", "jw-data"), ("application/json", "jw-bundle"), ("module", None)]
    # nothing is loaded from anywhere: no src/href on any element, no URLs in the markup
    for tag, attrs in p.tags:
        assert "src" not in attrs and "href" not in attrs, (tag, attrs)
        assert tag not in ("link", "iframe", "img", "object", "embed", "base"), tag
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", page)
    # payloads as JSON that ends nowhere early
    data = json.loads(scripts[0][1])
    bundle = json.loads(scripts[1][1])
    assert bundle == FAKE_BUNDLE
    assert "</" not in scripts[0][1] and "</" not in scripts[1][1] and "</" not in scripts[2][1]
    state = data["state"]
    key = data["traits"]["doc"]
    assert state[key]["title"] == sample_doc()["title"]
    assert data["editable"] is False
    # the static picture in <noscript>
    assert re.search(r"<noscript id=\"jw-fallback\"><div class=\"jw-static\"><svg ", page)
    # a CSP that allows only the page's own scripts and no network
    csp = next(a["content"] for t, a in p.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert "connect-src 'none'" in csp and "default-src 'none'" in csp
    assert 'id="jw-download"' not in page
    assert "<\\/style>" in page  # the widget CSS cannot close its <style> early


def test_html_csp_hash_matches_the_bootstrap(fake_bundle):
    import hashlib

    page = jw.export.to_html(sample_doc())
    p = _Tags()
    p.feed(page)
    boot = p.scripts[2][1]
    digest = base64.b64encode(hashlib.sha256(boot.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in page


def test_html_editable_has_download_button(fake_bundle):
    page = jw.export.to_html(sample_doc(), editable=True)
    assert 'id="jw-download"' in page
    p = _Tags()
    p.feed(page)
    data = json.loads(p.scripts[0][1])
    assert data["editable"] is True


def test_html_escapes_every_payload(fake_bundle):
    doc = xss_doc()
    page = jw.export.to_html(doc, metrics=sample_metrics(), editable=True)
    for payload in XSS_PAYLOADS:
        if "<" in payload:
            assert payload not in page, payload
    p = _Tags()
    p.feed(page)
    assert len(p.scripts) == 3
    for tag, attrs in p.tags:
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
    # and the document comes back intact from the page's JSON
    data = json.loads(p.scripts[0][1])
    assert data["state"][data["traits"]["doc"]] == doc


def test_html_without_built_bundle_says_how_to_build(tmp_path, monkeypatch):
    monkeypatch.setattr(html_mod, "STATIC_DIR", tmp_path / "nowhere")
    with pytest.raises(jw.JourneyError, match="npm run build"):
        jw.export.to_html(sample_doc())


# --------------------------------------------------------------------- imports stay light
def test_export_imports_no_heavy_modules():
    code = (
        "import sys, journeywidget as jw, journeywidget.export as e;"
        "e.to_svg; e.to_markdown; e.to_mermaid; e.mimebundle_fallback;"
        "import journeywidget.cli;"
        "heavy=[m for m in ('vl_convert','pandas','openpyxl','numpy','PIL','anywidget') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_overlays_from_a_chart_set():
    pytest.importorskip("vl_convert")
    from journeywidget.export.demo import demo_journey
    from journeywidget.export.svg import expand_overlays

    j, metrics, charts = demo_journey(customers=300, seed=1)
    assert charts is not None
    items = expand_overlays(charts)
    assert len(items) == 1 and "datasets" in items[0]["spec"]
    svg = to_svg(j, metrics=metrics, overlays=charts)
    root = parse_svg(svg)
    assert len([g for g in root.iter(SVG_NS + "g") if g.get("class") == "jw-chart"]) == 1
    assert_svg_inert(svg.split('<g class="jw-chart">')[0] + "</svg>")


def test_huge_maps_keep_png_sizes_sane():
    pytest.importorskip("vl_convert")
    j = jw.Journey("Big")
    for s in range(10):
        sid = j.add_stage(f"Stage {s}")
        for t in range(30):
            j.add_touchpoint(f"Step {s}-{t}", stage=sid, channel="web", emotion=(t % 5) - 2)
    svg = to_svg(j)
    assert svg.count('class="jw-touchpoint"') == 300
    with pytest.raises(jw.JourneyError, match="too big"):
        jw.export.to_png(j, scale=4)
    bundle = jw.export.mimebundle_fallback(j)
    assert "image/png" not in bundle and "image/svg+xml" in bundle


def test_html_and_svg_of_a_widget_use_its_state(fake_bundle):
    j = jw.Journey.from_dict(sample_doc())
    w = jw.JourneyWidget(j, editable=True)
    try:
        w._metrics = sample_metrics()
        w.selected = "checkout"
        svg = to_svg(w)
        assert "jw-badge-customers" in svg  # the widget's metrics are drawn
        page = jw.export.to_html(w)  # read-only by default, even for an editable widget
        p = _Tags()
        p.feed(page)
        data = json.loads(p.scripts[0][1])
        state = data["state"]
        assert data["traits"]["doc"] == "_doc" and state["_doc"] == j.to_dict()
        assert state["_metrics"] == sample_metrics()
        assert state["selected"] == "checkout"
        assert state["editable"] is False and data["editable"] is False
        assert "_esm" not in state and "_css" not in state and "layout" not in state
        assert "jw-badge-customers" in page
    finally:
        w.close()


def test_non_finite_metrics_do_not_break_exports(fake_bundle):
    metrics = sample_metrics()
    metrics["touchpoints"]["checkout"]["customers"] = float("nan")
    metrics["stages"]["purchase"]["conversion"] = float("inf")
    svg = to_svg(sample_doc(), metrics=metrics)
    parse_svg(svg)
    assert "nan" not in svg.lower().replace("nancy", "")
    page = jw.export.to_html(sample_doc(), metrics=metrics)
    p = _Tags()
    p.feed(page)
    data = json.loads(p.scripts[0][1])
    assert data["state"]["_metrics"]["touchpoints"]["checkout"]["customers"] is None
    assert "| Checkout page |" in jw.export.to_markdown(sample_doc(), metrics)
