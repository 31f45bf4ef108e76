"""Inputs for the importer attack tests and fuzzing: small valid seeds and hostile files."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import journeywidget as jw
from journeywidget.export import to_csv, to_excel, to_mermaid

DATA = Path(__file__).parent / "data"

SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def minimal_xlsx(sheet_xml: str, *, shared: list[str] | None = None, extra: dict[str, bytes] | None = None,
                 compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A hand-made .xlsx with one sheet ``sheet_xml`` (the inside of ``<sheetData>``)."""
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/></Types>'),
        "_rels/.rels": (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>'),
        "xl/workbook.xml": (
            f'<?xml version="1.0"?><workbook xmlns="{SHEET_NS}" xmlns:r="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships"><sheets><sheet name="Map" sheetId="1" r:id="rId1"/></sheets>'
            '</workbook>'),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet1.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'sharedStrings" Target="sharedStrings.xml"/></Relationships>'),
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0"?><worksheet xmlns="{SHEET_NS}"><sheetData>{sheet_xml}'
                                    '</sheetData></worksheet>',
    }
    if shared is not None:
        items = "".join(f"<si><t>{s}</t></si>" for s in shared)
        parts["xl/sharedStrings.xml"] = f'<?xml version="1.0"?><sst xmlns="{SHEET_NS}">{items}</sst>'
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, text in parts.items():
            zf.writestr(name, text.encode("utf-8"))
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


def inline_row(r: int, *values: str) -> str:
    cells = "".join(f'<c r="{chr(65 + k)}{r}" t="inlineStr"><is><t>{v}</t></is></c>' for k, v in enumerate(values))
    return f'<row r="{r}">{cells}</row>'


def zip_bomb(path: Path, unpacked: int) -> None:
    """A valid workbook whose sheet part unpacks to ``unpacked`` bytes of repeated rows from a few hundred KB."""
    head = minimal_xlsx(inline_row(1, "stage", "touchpoint") + inline_row(2, "A", "B"))
    src = zipfile.ZipFile(io.BytesIO(head))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                zf.writestr(info.filename, src.read(info.filename))
                continue
            zi = zipfile.ZipInfo(info.filename)
            zi.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(zi, "w", force_zip64=True) as fh:
                fh.write(f'<worksheet xmlns="{SHEET_NS}"><sheetData>'.encode())
                chunk = inline_row(3, "A" * 40, "B" * 40).encode() * 4096
                written = 0
                while written < unpacked:
                    fh.write(chunk)
                    written += len(chunk)
                fh.write(b"</sheetData></worksheet>")


def hostile_journey() -> jw.Journey:
    doc = json.loads((DATA / "export_sample.json").read_text(encoding="utf-8"))
    words = ["=1+1", "+49 123", "-5% off", "@SUM(A1)", "plain", "'=quoted", "line\r=cmd|' /C calc'!A0", "a,b\"c"]
    for i, tp in enumerate(doc["touchpoints"]):
        tp["name"] = words[i % len(words)].strip() or "x"
        tp["pain_points"] = [words[(i + 1) % len(words)]]
        tp["description"] = words[(i + 2) % len(words)]
    return jw.Journey.from_dict(doc)


def csv_seeds() -> list[bytes]:
    """Valid CSV files: our export (plain and hostile), a hand-made semicolon file with a BOM, a TSV."""
    sample = jw.Journey.from_dict(json.loads((DATA / "export_sample.json").read_text(encoding="utf-8")))
    return [
        to_csv(sample).encode("utf-8"),
        to_csv(hostile_journey()).encode("utf-8"),
        "\ufeffStage;Touchpoint;Channel;Emotion\nAwareness;Ad;ads;-1\nBuy;Shop;store;2\n".encode("utf-8"),
        b"stage\ttouchpoint\temotion\tpain_points\nA\tone\t1\t\"x; y\"\nB\ttwo\t-2\t[\"a\", \"b\"]\n",
    ]


def xlsx_seeds(tmp: Path) -> list[bytes]:
    """Valid workbooks: our export (shared strings, styles, two sheets) and a hand-made inline-string one."""
    path = tmp / "seed.xlsx"
    to_excel(hostile_journey(), path)
    ours = path.read_bytes()
    hand = minimal_xlsx(
        inline_row(1, "stage", "touchpoint", "emotion") + inline_row(2, "A", "one", "1")
        + '<row r="3"><c r="A3" t="s"><v>0</v></c><c r="B3" t="s"><v>1</v></c><c r="C3"><v>-1.5</v></c></row>',
        shared=["B", "two"],
    )
    return [ours, hand]


def mermaid_seeds() -> list[str]:
    docs_example = ("journey\n    title My working day\n    section Go to work\n      Make tea: 5: Me\n"
                    "      Go upstairs: 3: Me\n      Do work: 1: Me, Cat\n    section Go home\n"
                    "      Go downstairs: 5: Me\n      Sit down: 5: Me\n")
    return [to_mermaid(jw.Journey.from_template("ecommerce-purchase")), docs_example,
            to_mermaid(hostile_journey())]


def json_seeds() -> list[bytes]:
    return [(DATA / "good_minimal.json").read_bytes(), jw.Journey.from_template("saas-onboarding").to_json().encode()]
