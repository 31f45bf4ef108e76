"""Tables and text formats: Markdown, CSV, Excel, import from a table, Mermaid journey diagrams."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

import journeywidget as jw
from journeywidget.export import from_mermaid, from_table, to_csv, to_excel, to_markdown, to_mermaid

DATA = Path(__file__).parent / "data"
TEMPLATES = [t.name for t in jw.templates()]


def sample_doc() -> dict:
    return json.loads((DATA / "export_sample.json").read_text(encoding="utf-8"))


def sample_metrics() -> dict:
    return json.loads((DATA / "export_sample_metrics.json").read_text(encoding="utf-8"))


def essentials(journey) -> dict:
    """What the round trips must keep: stages, touchpoints, emotions, channels."""
    d = journey.to_dict() if hasattr(journey, "to_dict") else journey
    return {
        "stages": [(s["id"], s["name"]) for s in d["stages"]],
        "touchpoints": [
            (t["id"], t["name"], t["stage"], t["channel"], t["emotion"], t["moment_of_truth"]) for t in d["touchpoints"]
        ],
    }


HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "a | b | c",
    "[click](javascript:alert(1))",
    "**bold** _it_ `code`",
    "line one\nline two",
    "=HYPERLINK(\"http://evil.example\",\"x\")",
    "+1 call me",
    "-5% off; then more",
    "@SUM(A1:A9)",
    "section: with; colons # and hash %%{init: {}}%%",
    "Ünïcödé — Привет 日本語",
    "  spaces around  ",
    "'quoted'",
    "tab\tinside",
]


def hostile_journey() -> jw.Journey:
    doc = sample_doc()
    for i, tp in enumerate(doc["touchpoints"]):
        tp["name"] = HOSTILE[i % len(HOSTILE)].strip() or "x"
        tp["pain_points"] = [HOSTILE[(i + 1) % len(HOSTILE)], "plain"]
        tp["opportunities"] = [HOSTILE[(i + 2) % len(HOSTILE)]]
        tp["description"] = HOSTILE[(i + 3) % len(HOSTILE)]
        tp["quotes"] = [HOSTILE[(i + 4) % len(HOSTILE)]]
    doc["stages"][1]["name"] = "Consideration: compare; decide #1"
    doc["title"] = "Title <b>bold</b> | pipe"
    return jw.Journey.from_dict(doc)


# --------------------------------------------------------------------- Markdown
def _table(md: str, heading: str) -> list[list[str]]:
    block = md.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in block.splitlines() if line.startswith("|")]
    out = []
    for line in rows[2:]:
        cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
        out.append([c.strip() for c in cells])
    return out


def test_markdown_one_row_per_touchpoint():
    doc = sample_doc()
    md = to_markdown(jw.Journey.from_dict(doc))
    assert md.startswith("# Online shoe purchase — first-time buyer\n")
    rows = _table(md, "Touchpoints")
    assert len(rows) == len(doc["touchpoints"])
    assert all(len(r) == 7 for r in rows)
    by_name = {r[1]: r for r in rows}
    assert by_name["Checkout page"][0] == "Purchase"
    assert by_name["Checkout page"][2] == "Web"
    assert by_name["Checkout page"][3] == "-2 Very negative"
    assert by_name["Checkout page"][4].startswith("★")
    assert by_name["Checkout page"][5] == "Surprise shipping costs"
    assert by_name["Loyalty programme"][2] == "partner-club"
    assert "Delivery &amp; onboarding" in md  # HTML-escaped
    assert "## Lanes" in md and "Shipping costs appear only at the last step" in md
    assert "## Funnel" not in md


def test_markdown_with_metrics_payload_and_dataframe():
    import pandas as pd
    doc, metrics = sample_doc(), sample_metrics()
    md = to_markdown(doc, metrics)
    rows = _table(md, "Touchpoints")
    head = md.split("## Touchpoints\n\n", 1)[1].splitlines()[0]
    assert "| Customers | Share |" in head
    search = next(r for r in rows if r[1] == "Search ad")
    assert search[7:9] == ["12k", "80%"]
    funnel = _table(md, "Funnel")
    assert funnel[0] == ["Awareness", "15k", "", "33%"]
    assert funnel[1] == ["Consideration", "10k", "67%", "58%"]
    df = pd.DataFrame({"touchpoint": ["search-ad", "checkout"], "csat": [4.5, 2.25], "tickets": [3, 17]})
    md2 = to_markdown(doc, df)
    head2 = md2.split("## Touchpoints\n\n", 1)[1].splitlines()[0]
    assert head2.endswith("| Csat | Tickets |")
    checkout = next(r for r in _table(md2, "Touchpoints") if r[1] == "Checkout page")
    assert checkout[-2:] == ["2.25", "17"]


def test_markdown_escapes_hostile_text():
    j = hostile_journey()
    md = to_markdown(j, sample_metrics())
    for p in HOSTILE:
        if "<" in p or "|" in p:
            assert p not in md
    assert "<script" not in md and "<img" not in md and "<b>" not in md
    # the only tags are the line breaks we put in cells
    assert set(re.findall(r"<[^>]*>", md)) <= {"<br>"}
    # pipes are escaped, so every row keeps its columns
    rows = _table(md, "Touchpoints")
    head = md.split("## Touchpoints\n\n", 1)[1].splitlines()[0]
    assert {len(r) for r in rows} == {head.count("|") - 1} == {12}
    assert "[click\\](javascript:alert(1))" in md


# --------------------------------------------------------------------- CSV
def test_csv_round_trip_keeps_stages_touchpoints_emotions_channels(tmp_path):
    j = jw.Journey.from_dict(sample_doc())
    path = tmp_path / "map.csv"
    text = to_csv(j, path)
    assert path.read_text(encoding="utf-8") == text
    back = from_table(path)
    assert essentials(back) == essentials(j)
    a, b = j.to_dict(), back.to_dict()
    for ta, tb in zip(a["touchpoints"], b["touchpoints"]):
        for key in ("pain_points", "opportunities", "quotes", "event_keys", "metric", "evidence", "description"):
            assert ta[key] == tb[key], (ta["id"], key)


def test_csv_rows_and_metric_columns():
    text = to_csv(sample_doc(), metrics=sample_metrics())
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == len(sample_doc()["touchpoints"])
    head = list(rows[0])
    assert head[:4] == ["stage", "touchpoint", "channel", "emotion"]
    assert {"customers", "share", "stage_customers", "stage_conversion", "stage_dropoff_rate"} <= set(head)
    first = rows[0]
    assert (first["stage"], first["touchpoint"], first["channel"], first["emotion"]) == ("Awareness", "Search ad", "ads", "0")
    assert first["customers"] == "12000" and first["share"] == "0.8"
    # the metric columns are ignored on import
    assert essentials(from_table(list(csv.DictReader(io.StringIO(text))))) == essentials(sample_doc())


def test_csv_round_trip_of_hostile_text_and_formula_guard(tmp_path):
    j = hostile_journey()
    path = tmp_path / "hostile.csv"
    text = to_csv(j, path)
    # spreadsheet formulas are defused
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            assert not cell.startswith(("=", "+", "@")), cell
    back = from_table(path)
    assert essentials(back) == essentials(j)
    for ta, tb in zip(j.to_dict()["touchpoints"], back.to_dict()["touchpoints"]):
        assert ta["pain_points"] == tb["pain_points"]
        assert ta["opportunities"] == tb["opportunities"]
        assert ta["quotes"] == tb["quotes"]
        assert ta["description"].strip() == tb["description"]


def test_csv_keeps_a_stage_without_touchpoints():
    doc = sample_doc()
    doc["stages"].append({"id": "advocacy", "name": "Advocacy", "description": "", "customer_goal": "",
                          "milestone": False, "icon": ""})
    back = from_table(list(csv.DictReader(io.StringIO(to_csv(doc)))))
    assert [s["id"] for s in back.to_dict()["stages"]][-1] == "advocacy"
    assert essentials(back) == essentials(jw.Journey.from_dict(doc))


@pytest.mark.parametrize("name", TEMPLATES)
def test_csv_and_mermaid_round_trip_every_template(name, tmp_path):
    j = jw.Journey.from_template(name)
    path = tmp_path / f"{name}.csv"
    to_csv(j, path)
    assert essentials(from_table(path)) == essentials(j)
    assert essentials(from_mermaid(to_mermaid(j))) == essentials(j)


# --------------------------------------------------------------------- Excel
def test_excel_round_trip_and_cells_are_text(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    j = hostile_journey()
    path = tmp_path / "map.xlsx"
    to_excel(j, path, metrics=sample_metrics())
    wb = openpyxl.load_workbook(path)
    ws = wb["Touchpoints"]
    assert wb.sheetnames == ["Touchpoints", "Stages"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["stage", "touchpoint", "channel"] and "customers" in header
    assert ws.max_row == 1 + len(j.touchpoints)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f", cell.value  # never a formula
    names = [ws.cell(row=r, column=2).value for r in range(2, ws.max_row + 1)]
    assert '=HYPERLINK("http://evil.example","x")' in names
    stages = wb["Stages"]
    assert [stages.cell(row=r, column=1).value for r in range(2, stages.max_row + 1)] == [s.name for s in j.stages]
    back = from_table(path)
    assert essentials(back) == essentials(j)


# --------------------------------------------------------------------- import from tables
def test_from_table_dataframe_with_friendly_columns():
    import pandas as pd
    df = pd.DataFrame({
        "Stage": ["Discover", "Discover", "Buy", "Buy", "Use"],
        "Name": ["Ad", "Blog post", "Checkout", "Receipt", None],
        "Channel": ["Ads", "web", "Web", "E-mail", None],
        "Emotion": [0, 1.5, "Very negative", None, None],
        "Pain points": ["", "too long; no pictures", "fees", "", ""],
        "Moment of truth": ["", "", "yes", "no", ""],
        "Event keys": ["ad_click", "blog_view", "checkout_start;checkout_done", "", ""],
        "revenue": [1, 2, 3, 4, 5],  # ignored
    })
    j = from_table(df, title="From a frame")
    d = j.to_dict()
    assert j.title == "From a frame"
    assert [s["name"] for s in d["stages"]] == ["Discover", "Buy", "Use"]
    tps = {t["name"]: t for t in d["touchpoints"]}
    assert set(tps) == {"Ad", "Blog post", "Checkout", "Receipt"}
    assert tps["Ad"]["channel"] == "ads" and tps["Receipt"]["channel"] == "email"
    assert tps["Blog post"]["emotion"] == 1.5 and tps["Checkout"]["emotion"] == -2
    assert tps["Receipt"]["emotion"] is None
    assert tps["Blog post"]["pain_points"] == ["too long", "no pictures"]
    assert tps["Checkout"]["moment_of_truth"] is True
    assert tps["Checkout"]["event_keys"] == ["checkout_start", "checkout_done"]
    assert tps["Checkout"]["stage"] == "buy"


def test_from_table_names_missing_columns(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("phase_name,step_title,channel\nA,B,web\n", encoding="utf-8")
    with pytest.raises(jw.JourneyError) as e:
        from_table(path)
    msg = str(e.value)
    assert "'stage'" in msg and "'touchpoint' (or 'name')" in msg and "'step_title'" in msg
    path.write_text("stage,channel\nA,web\n", encoding="utf-8")
    with pytest.raises(jw.JourneyError, match=r"lacks the column 'touchpoint'"):
        from_table(path)


def test_from_table_names_bad_rows(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "stage,touchpoint,emotion,moment_of_truth,evidence\n"
        "A,one,happy,,\n"
        "A,two,7,,\n"
        ",three,0,,\n"
        "B,four,1,maybe,\n"
        "B,five,1,,hunch\n",
        encoding="utf-8",
    )
    with pytest.raises(jw.JourneyError) as e:
        from_table(path)
    msg = str(e.value)
    assert "row 1: emotion 'happy' is not a number" in msg
    assert "row 2: emotion 7 is outside the scale -2..2" in msg
    assert "row 3: the stage is empty" in msg
    assert "row 4: moment_of_truth 'maybe'" in msg
    assert "row 5: evidence 'hunch'" in msg


def test_from_table_semicolon_csv_and_bom(tmp_path):
    path = tmp_path / "excel-export.csv"
    path.write_bytes("\ufeffStage;Touchpoint;Channel;Emotion\nAwareness;Ad;ads;-1\nBuy;Shop;store;2\n".encode("utf-8"))
    j = from_table(path)
    assert j.title == "Excel export"
    assert essentials(j)["touchpoints"] == [
        ("ad", "Ad", "awareness", "ads", -1, False),
        ("shop", "Shop", "buy", "store", 2, False),
    ]


# --------------------------------------------------------------------- Mermaid
MERMAID_DOCS_EXAMPLE = """journey
    title My working day
    section Go to work
      Make tea: 5: Me
      Go upstairs: 3: Me
      Do work: 1: Me, Cat
    section Go home
      Go downstairs: 5: Me
      Sit down: 5: Me
"""


def test_mermaid_text_is_valid_journey_syntax():
    j = jw.Journey.from_dict(sample_doc())
    text = to_mermaid(j)
    lines = [line for line in text.splitlines() if not line.strip().startswith("%%")]
    assert lines[0] == "journey"
    assert lines[1].strip() == "title Online shoe purchase — first-time buyer"
    sections = [line.strip()[8:] for line in lines if line.strip().startswith("section ")]
    assert sections == [s.name for s in j.stages]
    tasks = [line.strip() for line in lines[2:] if not line.strip().startswith("section ")]
    assert len(tasks) == len(j.touchpoints)
    for t in tasks:
        m = re.fullmatch(r"([^#:\n;]+): ([1-5]): ([^#\n;]+)", t)
        assert m, t
    assert "Checkout page: 1: Runner Rita, Web" in tasks
    assert "Set-up in the mobile app: 5: Runner Rita, Mobile app" in tasks
    assert "Search ad: 3: Runner Rita, Ads" in tasks
    # without the comment lines it is plain Mermaid
    plain = to_mermaid(j, meta=False)
    assert "%%" not in plain and plain.splitlines() == lines


def test_mermaid_round_trip_keeps_stages_touchpoints_emotions_channels():
    j = jw.Journey.from_dict(sample_doc())
    back = from_mermaid(to_mermaid(j))
    assert essentials(back) == essentials(j)
    assert back.title == j.title and back.id == j.id
    assert [p.name for p in back.personas] == ["Runner Rita"]


def test_mermaid_round_trip_of_awkward_names():
    j = hostile_journey()
    text = to_mermaid(j)
    assert "<" not in text and ">" not in text  # nothing a renderer could take for markup
    assert "%%{" not in text  # no directive smuggled in
    back = from_mermaid(text)
    assert essentials(back) == essentials(j)


def test_mermaid_without_meta_maps_scores_and_channels():
    j = jw.Journey.from_dict(sample_doc())
    back = from_mermaid(to_mermaid(j, meta=False))
    d = back.to_dict()
    assert [s["name"] for s in d["stages"]] == [s.name for s in j.stages]
    got = {t["name"]: (t["channel"], t["emotion"]) for t in d["touchpoints"]}
    assert got["Checkout page"] == ("web", -2)
    assert got["Set-up in the mobile app"] == ("mobile_app", 2)
    assert got["Courier call"] == ("phone", -1)  # -0.5 rounds to score 2 -> -1
    assert got["Friend's recommendation"] == ("in_person", 1)


def test_mermaid_hand_edits_win_over_stale_meta():
    text = to_mermaid(jw.Journey.from_dict(sample_doc()))
    text = text.replace("Checkout page: 1: Runner Rita, Web", "Checkout: 4: Runner Rita, Email")
    back = from_mermaid(text).to_dict()
    tp = next(t for t in back["touchpoints"] if t["id"] == "checkout")
    assert (tp["name"], tp["emotion"], tp["channel"]) == ("Checkout", 1, "email")
    assert tp["moment_of_truth"] is True


def test_from_mermaid_reads_the_mermaid_docs_example():
    j = from_mermaid(MERMAID_DOCS_EXAMPLE)
    d = j.to_dict()
    assert j.title == "My working day"
    assert [s["name"] for s in d["stages"]] == ["Go to work", "Go home"]
    assert [(t["name"], t["emotion"]) for t in d["touchpoints"]] == [
        ("Make tea", 2), ("Go upstairs", 0), ("Do work", -2), ("Go downstairs", 2), ("Sit down", 2),
    ]
    assert [p["name"] for p in d["personas"]] == ["Me", "Cat"]
    assert all(t["channel"] is None for t in d["touchpoints"])


def test_from_mermaid_errors_name_the_line():
    with pytest.raises(jw.JourneyError, match="starts with 'journey'"):
        from_mermaid("flowchart LR\n  A --> B\n")
    with pytest.raises(jw.JourneyError, match=r"line 4: the score 'high' is not a number"):
        from_mermaid("journey\n  title T\n  section S\n    Task: high: Me\n")
    with pytest.raises(jw.JourneyError, match=r"line 3: cannot read"):
        from_mermaid("journey\n  title T\n  what is this\n")
