"""Importers under attack (issue 11, items 2-5): zip bombs and size bounds, only our own errors,
linear time on hostile shapes, and CSV that no spreadsheet runs as a formula.

Hangs fail through pytest-timeout (the old code took minutes on these inputs); no test
asserts a wall-clock time.
"""

from __future__ import annotations

import csv
import io
import re
import tracemalloc
import zipfile

import pytest

import journeywidget as jw
from importer_inputs import hostile_journey, inline_row, minimal_xlsx, zip_bomb
from journeywidget.core.ids import IdAllocator, unique_id
from journeywidget.export import from_mermaid, from_table, limits, to_csv, to_excel
from journeywidget.export.mermaid import _drop_directives


# ------------------------------------------------------------------ 2. zip bombs and bounds
@pytest.mark.timeout(60)
def test_zip_bomb_is_refused_from_the_zip_directory_alone(tmp_path, monkeypatch):
    bomb = tmp_path / "bomb.xlsx"
    zip_bomb(bomb, 96 * 1024 * 1024)
    assert bomb.stat().st_size < 2 * 1024 * 1024
    opened: list[str] = []
    real_open = zipfile.ZipFile.open
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, name, *a, **k: opened.append(str(name)) or real_open(
        self, name, *a, **k))
    tracemalloc.start()
    try:
        with pytest.raises(jw.InputLimitError) as info:
            from_table(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    err = info.value
    assert err.limit == "max_ratio" and err.source == str(bomb)
    assert "xl/worksheets/sheet1.xml" in str(err) and "zip bomb" in str(err)
    assert opened == []  # not one part was unpacked
    assert peak < 8 * 1024 * 1024
    with pytest.raises(jw.InputLimitError) as info:  # with the ratio raised, the total size still bounds it
        from_table(bomb, max_ratio=1e9, max_unpacked=64 << 20)
    assert info.value.limit == "max_unpacked" and "max_unpacked=" in str(info.value)
    assert opened == []


def test_bounds_are_named_constants_raised_per_call(tmp_path):
    assert (limits.MAX_TABLE_BYTES, limits.MAX_UNPACKED_BYTES, limits.MAX_ROWS, limits.MAX_CELL_CHARS) == (
        64 << 20, 256 << 20, 200_000, 100_000)
    path = tmp_path / "t.csv"
    path.write_text("stage,touchpoint,description\n" + "".join(f"S,t{i},{'x' * 60}\n" for i in range(6)))
    with pytest.raises(jw.InputLimitError, match=r"more than 5 rows; pass max_rows=") as info:
        from_table(path, max_rows=5)
    assert (info.value.limit, info.value.location) == ("max_rows", "line 7")
    with pytest.raises(jw.InputLimitError, match="60 characters, over the limit of 50") as info:
        from_table(path, max_cell_chars=50)
    assert (info.value.location, info.value.field, info.value.limit) == ("line 2", "description", "max_cell_chars")
    with pytest.raises(jw.InputLimitError, match="pass max_bytes=") as info:
        from_table(path, max_bytes=100)
    assert info.value.source == str(path)
    assert len(from_table(path).touchpoints) == 6


def test_xlsx_cell_length_and_rows_are_bounded_while_reading(tmp_path):
    path = tmp_path / "long.xlsx"
    path.write_bytes(minimal_xlsx(inline_row(1, "stage", "touchpoint", "description")
                                  + inline_row(2, "A", "one", "y" * 150_000)))
    with pytest.raises(jw.InputLimitError) as info:
        from_table(path)
    assert (info.value.location, info.value.field) == ("sheet 'Map' row 2", "description")
    with pytest.raises(jw.SourceError) as info:  # raised, the bound lets it through to the map's own limit
        from_table(path, max_cell_chars=200_000)
    assert not isinstance(info.value, jw.InputLimitError)
    assert (info.value.location, info.value.field) == ("row 1", "description")
    many = tmp_path / "many.xlsx"
    many.write_bytes(minimal_xlsx(inline_row(1, "stage", "touchpoint")
                                  + "".join(inline_row(r, "A", f"t{r}") for r in range(2, 12))))
    with pytest.raises(jw.InputLimitError, match="the sheet has more than 5 rows") as info:
        from_table(many, max_rows=5)
    assert info.value.location == "sheet 'Map' row 7"


@pytest.mark.timeout(60)
def test_xlsx_sparse_and_padded_sheets_cost_nothing(tmp_path):
    """Row numbers near 2**31 and a cell in the last column: no padding, no iterating the gaps."""
    path = tmp_path / "sparse.xlsx"
    path.write_bytes(minimal_xlsx(
        inline_row(1, "stage", "touchpoint")
        + '<row r="999999999"><c r="A999999999" t="inlineStr"><is><t>Far</t></is></c>'
          '<c r="B999999999" t="inlineStr"><is><t>away</t></is></c>'
          '<c r="XFD999999999" t="inlineStr"><is><t>ignored</t></is></c></row>'))
    j = from_table(path)
    assert [(s.name, t.name) for s, t in zip(j.stages, j.touchpoints)] == [("Far", "away")]


def test_xlsx_with_a_dtd_or_entities_is_refused(tmp_path):
    laughs = ('<!DOCTYPE lol [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
              '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol2;</t></si></sst>')
    path = tmp_path / "laughs.xlsx"
    path.write_bytes(minimal_xlsx('<row r="1"><c r="A1" t="s"><v>0</v></c></row>',
                                  extra={"xl/sharedStrings.xml": laughs.encode()}))
    with pytest.raises(jw.SourceError, match="declares a DTD or entities") as info:
        from_table(path)
    assert info.value.source == str(path)


# ------------------------------------------------------------------ 3. only our own errors
def test_csv_reading_problems_are_source_errors_naming_file_line_and_fix(tmp_path):
    big = tmp_path / "big.csv"
    big.write_text("stage,touchpoint,description\nS,T," + "x" * 140_000 + "\n")
    with pytest.raises(jw.InputLimitError, match="max_cell_chars=") as info:
        from_table(big)
    assert info.value.location == "line 2"
    with pytest.raises(jw.SourceError, match="at most 20000 characters") as info:
        from_table(big, max_cell_chars=150_000)
    assert (info.value.location, info.value.field) == ("row 1", "description")

    latin = tmp_path / "latin.csv"
    latin.write_bytes("stage,touchpoint\nAchat,Caf\u00e9\n".encode("latin-1"))
    with pytest.raises(jw.SourceError) as info:
        from_table(latin)
    assert info.value.location == "line 2" and "encoding='cp1252'" in str(info.value)
    assert "encoding='latin-1'" in str(info.value) and str(latin) in str(info.value)
    assert from_table(latin, encoding="cp1252").touchpoints[0].name == "Caf\u00e9"

    for codec, name in (("utf-16", "utf-16"), ("utf-32", "utf-32")):
        wide = tmp_path / f"{codec}.csv"
        wide.write_text("stage,touchpoint\nA,B\n", encoding=codec)
        with pytest.raises(jw.SourceError, match=f"pass encoding='{name}'"):
            from_table(wide)
        assert from_table(wide, encoding=codec).touchpoints[0].name == "B"
    bare = tmp_path / "bare16.csv"
    bare.write_bytes("stage,touchpoint\nA,B\n".encode("utf-16-le"))
    with pytest.raises(jw.SourceError, match="pass encoding='utf-16-le'"):
        from_table(bare)
    with pytest.raises(jw.SourceError, match="unknown encoding 'klingon'"):
        from_table(latin, encoding="klingon")

    folder = tmp_path / "folder.csv"
    folder.mkdir()
    with pytest.raises(jw.SourceError, match="is a folder") as info:
        from_table(folder)
    assert info.value.source == str(folder)
    with pytest.raises(jw.SourceError, match="no such file"):
        from_table(tmp_path / "missing.csv")
    zipped = tmp_path / "workbook.csv"
    zipped.write_bytes(minimal_xlsx(inline_row(1, "stage", "touchpoint")))
    with pytest.raises(jw.SourceError, match="zip file"):
        from_table(zipped)


def test_csv_lone_cr_and_sep_line_and_tabs_are_read(tmp_path):
    old_mac = tmp_path / "mac.csv"
    old_mac.write_bytes(b"stage,touchpoint\rA,one\rB,two\r")
    assert [t.name for t in from_table(old_mac).touchpoints] == ["one", "two"]
    sep = tmp_path / "sep.csv"
    sep.write_text("sep=;\nstage;touchpoint\nA;one, with comma\n")
    assert from_table(sep).touchpoints[0].name == "one, with comma"
    tsv = tmp_path / "t.tsv"
    tsv.write_text("stage\ttouchpoint\nA\tone\n")
    assert from_table(tsv).touchpoints[0].name == "one"


def _damaged_workbooks(tmp_path):
    """Each of the failure classes the attack pass saw from openpyxl and zipfile."""
    good = minimal_xlsx(inline_row(1, "stage", "touchpoint") + '<row r="2"><c r="A2" t="s"><v>0</v></c>'
                        '<c r="B2" t="s"><v>1</v></c></row>', shared=["A", "one"])
    out = {"truncated (BadZipFile)": good[: len(good) // 2]}
    zf = zipfile.ZipFile(io.BytesIO(good))
    info = zf.getinfo("xl/worksheets/sheet1.xml")
    raw = bytearray(good)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for k in range(start, start + info.compress_size, 3):
        raw[k] ^= 0x5A
    out["corrupt deflate stream (zlib.error)"] = bytes(raw)

    def rebuilt(drop: str | None = None, replace: dict[str, str] | None = None) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as new:
            for name in zf.namelist():
                if name != drop:
                    new.writestr(name, (replace or {}).get(name, zf.read(name)))
        return buf.getvalue()

    out["missing sheet part (KeyError)"] = rebuilt(drop="xl/worksheets/sheet1.xml")
    out["shared string out of range (IndexError)"] = rebuilt(replace={"xl/sharedStrings.xml": (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>A</t></si></sst>')})
    out["bad XML (ExpatError)"] = rebuilt(replace={"xl/workbook.xml": "<workbook><sheets><sheet"})
    out["bad number"] = rebuilt(replace={"xl/worksheets/sheet1.xml": (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + inline_row(1, "stage", "touchpoint", "emotion")
        + '<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c><c r="C2"><v>1.2.3</v></c></row>'
        '</sheetData></worksheet>')})
    out["empty file"] = b""
    out["not a zip"] = b"stage,touchpoint\nA,B\n"
    return out


def test_damaged_workbooks_raise_source_errors_naming_the_file(tmp_path):
    for label, data in _damaged_workbooks(tmp_path).items():
        path = tmp_path / (re.sub(r"\W+", "_", label) + ".xlsx")
        path.write_bytes(data)
        with pytest.raises(jw.SourceError) as info:
            from_table(path)
        assert info.value.source == str(path), label
        assert "not a readable Excel workbook" in str(info.value), (label, str(info.value))
    bad_number = tmp_path / "bad_number.xlsx"
    assert "sheet 'Map' row 2, column 3" in str(pytest.raises(jw.SourceError, from_table, bad_number).value)


def test_sheet_argument_errors_list_the_sheets(tmp_path):
    path = tmp_path / "map.xlsx"
    to_excel(hostile_journey(), path)
    for sheet, pattern in ((5, r"no sheet number 5 .*0 'Touchpoints', 1 'Stages'"),
                           ("nope", r"no sheet named 'nope'.*0 'Touchpoints', 1 'Stages'"),
                           (1.5, "sheet= takes a sheet name or a number"), (True, "sheet= takes")):
        with pytest.raises(jw.SourceError, match=pattern) as info:
            from_table(path, sheet=sheet)
        assert info.value.field == "sheet" and info.value.source == str(path)
    assert len(from_table(path, sheet="touchpoints").touchpoints) == len(hostile_journey().touchpoints)


def test_mermaid_deep_nesting_in_the_comment_is_a_source_error():
    for depth in (40, 100_000):
        text = "journey\n  title T\n  %% journeywidget: " + "[" * depth + "\n  section A\n    t: 3: me\n"
        with pytest.raises(jw.InputLimitError) as info:
            from_mermaid(text)
        assert info.value.location == "line 3"
    assert from_mermaid("journey\n  %% journeywidget: " + "[" * 20 + "\n  section A\n    t: 3: me\n").touchpoints
    with pytest.raises(jw.InputLimitError, match="max_chars="):
        from_mermaid("journey\n" + " " * 100, max_chars=50)


def test_table_validation_errors_name_row_and_column():
    with pytest.raises(jw.SourceError) as info:
        from_table([{"stage": "A", "touchpoint": "ok"}, {"stage": "A", "touchpoint": "t", "channel": "c" * 70}])
    assert (info.value.location, info.value.field) == ("row 2", "channel")
    assert "row 2, 'channel'" in str(info.value)


# ------------------------------------------------------------------ 4. linear on hostile shapes
def test_directive_scan_matches_the_old_regex():
    import random

    old = re.compile(r"%%\{.*?\}%%")
    rng = random.Random(11)
    pieces = ["%%{", "}%%", "%", "{", "}", "a", " ", "init"]
    for _ in range(3000):
        s = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        assert _drop_directives(s) == old.sub("", s), s
    assert _drop_directives("a\n%%{x\ny}%%\nb").split("\n") == ["a", "", "", "b"]  # line numbers kept


@pytest.mark.timeout(60)
def test_mermaid_hostile_shapes_finish():
    j = from_mermaid("%%{" * 200_000 + "\njourney\n  section A\n    t: 3: me\n")
    assert [t.name for t in j.touchpoints] == ["t"]
    with pytest.raises(jw.SourceError, match="at most 1,000 stages") as info:
        from_mermaid("journey\n" + "  section A\n    t: 3: me\n" * 8000)
    assert info.value.location == "line 2002"
    j = from_mermaid("journey\n" + ("  section Same\n" + "    Same: 3: me\n" * 8) * 1000)
    ids = [s.id for s in j.stages] + [t.id for t in j.touchpoints]
    assert ids[:2] == ["same", "same-10"] and len(set(ids)) == 9000  # stages and tasks share one id space
    assert j.touchpoints[-1].id == "same-9000"


@pytest.mark.timeout(60)
def test_identical_csv_rows_get_ids_in_linear_time(tmp_path):
    path = tmp_path / "same.csv"
    path.write_text("stage,touchpoint\n" + "S,T\n" * 8000)
    ids = [t.id for t in from_table(path).touchpoints]
    assert ids[:3] == ["t", "t-2", "t-3"] and ids[-1] == "t-8000" and len(set(ids)) == 8000


def test_id_allocator_agrees_with_unique_id_and_probes_linearly():
    import random

    class Counting(set):
        probes = 0

        def __contains__(self, item):
            Counting.probes += 1
            return super().__contains__(item)

    rng = random.Random(5)
    taken: set[str] = {"a", "a-3", "b-2"}
    alloc = IdAllocator(taken)
    for _ in range(2000):
        base = rng.choice("abc")
        if rng.random() < 0.1:
            extra = f"{base}-{rng.randint(2, 40)}"
            taken.add(extra)
            alloc.add(extra)
            continue
        expect = unique_id(base, taken)
        taken.add(expect)
        assert alloc.claim(base) == expect
    alloc = IdAllocator()
    alloc.taken = Counting()
    for _ in range(8000):
        alloc.claim("t")
    assert Counting.probes < 3 * 8000


# ------------------------------------------------------------------ 5. CSV formula injection
_DANGER = ("=", "+", "@", "\t", "\r", "\n")


def _rows_as_a_cr_reader_sees_them(text: str) -> list[list[str]]:
    """What a reader that ends rows at CR (and LF) reads: csv's own reader with universal newlines."""
    return list(csv.reader(io.StringIO(text, newline="")))


def test_cr_in_a_field_is_quoted_and_never_starts_a_row_or_cell():
    j = jw.Journey("CR")
    stage = j.add_stage("see note\r=cmd|' /C calc'!A0")
    j.add_touchpoint("t", stage=stage, description="a\r@SUM(1)", pain_points=["x\r\n-2+3"])
    text = to_csv(j)
    assert '"see note\r=cmd|\' /C calc\'!A0"' in text
    for row in _rows_as_a_cr_reader_sees_them(text):
        assert len(row) == len(_rows_as_a_cr_reader_sees_them(text)[0])
        for cell in row:
            assert not cell.startswith(_DANGER), cell
    assert text.count("\n") == 2  # header and one row: every line break inside a cell is quoted
    back = from_table(_rows_as_list_of_dicts(text))
    assert back.stages[0].name == "see note\r=cmd|' /C calc'!A0"
    assert back.touchpoints[0].description == "a\r@SUM(1)"


def _rows_as_list_of_dicts(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_every_text_cell_metric_cell_and_header_is_neutralised():
    j = hostile_journey()
    tp = j.touchpoints[0].id
    metrics = {"touchpoints": {tp: {"customers": 10, "=cmd()": "=1+1", "delta": -3, "note": "-2", "bad": "-x"}},
               "stages": {}, "feedback": {}}
    text = to_csv(j, metrics=metrics)
    rows = _rows_as_a_cr_reader_sees_them(text)
    header = rows[0]
    assert "'=cmd()" in header and "=cmd()" not in header
    cells = [c for row in rows for c in row]
    for cell in cells:
        assert not cell.startswith(_DANGER), cell
        if cell.startswith("-"):
            float(cell)  # only real numbers may start with '-'
    first = dict(zip(header, rows[1]))
    assert (first["'=cmd()"], first["delta"], first["note"], first["bad"]) == ("'=1+1", "-3", "-2", "'-x")


def test_guard_round_trips_exactly_including_a_users_own_apostrophes(tmp_path):
    names = ["=1+1", "'=1+1", "''=x", "'quoted'", "'", "-5", "'-5", "-5 off", "+1", "@x", "plain", "it's"]
    j = jw.Journey("Guards")
    stage = j.add_stage("S")
    for name in names:
        j.add_touchpoint(name, stage=stage, description=name)
    for path in (tmp_path / "guards.csv", tmp_path / "guards.xlsx"):
        (to_csv if path.suffix == ".csv" else to_excel)(j, path)
        back = from_table(path)
        assert [t.name for t in back.touchpoints] == names, path.suffix
        assert [t.description for t in back.touchpoints] == names, path.suffix


# ------------------------------------------------------------------ the lean .xlsx reader reads what openpyxl reads
def test_xlsx_reader_agrees_with_openpyxl_on_every_cell_type(tmp_path):
    import datetime as dt

    openpyxl = pytest.importorskip("openpyxl")
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    from journeywidget.export._xlsx import read_xlsx

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    wb.create_sheet("Second").append(["stage", "touchpoint"])
    ws.append(["stage", "touchpoint", "n", "when", "flag", "formula", "rich", None, "last"])
    ws.append(["A", "int", 7, dt.datetime(2024, 2, 29, 13, 45), True, "=1+1",
               CellRichText("plain ", TextBlock(InlineFont(b=True), "bold")), None, "x"])
    ws.append(["A", "float", -2.5, dt.date(1999, 12, 31), False, None, "  spaced  ", "gap", 1e-7])
    ws.append([None] * 9)
    ws.append(["B", "big", 12345678901234, dt.datetime(1900, 1, 5), None, None, "=not a formula?", None, "z"])
    ws["F5"].data_type = "s"
    ws.cell(row=7, column=2, value="after an empty row")
    ws["A7"] = "C"
    ws["D7"] = dt.time(6, 30)
    path = tmp_path / "types.xlsx"
    wb.save(path)

    header, rows = read_xlsx(path, "Data", max_unpacked=1 << 26, max_ratio=100, max_rows=100, max_cell_chars=1000)
    theirs = openpyxl.load_workbook(path, read_only=True, data_only=True)["Data"]
    values = [list(r) for r in theirs.iter_rows(values_only=True)]
    assert header == ["stage", "touchpoint", "n", "when", "flag", "formula", "rich", "", "last"]
    expected = [dict(zip(header, r)) for r in values[1:] if any(v is not None for v in r)]
    for mine, ref in zip(rows, expected):
        for key in header:
            a, b = mine.get(key), ref.get(key)
            assert a == b, (key, a, b)
    assert len(rows) == len(expected) == 4


def test_security_page_states_the_bounds_in_force():
    from pathlib import Path

    from journeywidget.document.io import MAX_FILE_BYTES

    root = Path(__file__).resolve().parents[1]
    page = (root / "tests" / "SECURITY.md").read_text(encoding="utf-8")
    assert "(tests/SECURITY.md)" in (root / "README.md").read_text(encoding="utf-8")
    for figure in (f"{MAX_FILE_BYTES >> 20} MiB", f"{limits.MAX_TABLE_BYTES >> 20} MiB",
                   f"| {limits.MAX_UNPACKED_BYTES >> 20} MiB |", f"{limits.MAX_ROWS:,}",
                   f"{limits.MAX_CELL_CHARS:,} characters", f"| {limits.MAX_ZIP_RATIO} (parts over 1 MiB)",
                   f"{limits.MAX_COLUMNS:,}; {limits.MAX_ZIP_MEMBERS:,}", f"{limits.MAX_META_DEPTH} levels",
                   f"{limits.MAX_MERMAID_CHARS >> 20} Mi characters"):
        assert figure in page, figure
    from test_fuzz_importers import N

    assert page.count(f"| {N:,} |") == 4
