"""The ``journeywidget`` command: validate, render, list templates, start a map, run the demo.

Startup stays light: only argparse is imported until a command runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

FORMATS = ("html", "svg", "png", "pdf", "md", "csv", "xlsx", "mermaid", "json")
_EXT = {"html": ".html", "svg": ".svg", "png": ".png", "pdf": ".pdf", "md": ".md", "csv": ".csv",
        "xlsx": ".xlsx", "mermaid": ".mmd", "json": ".json"}
_BY_EXT = {".html": "html", ".htm": "html", ".svg": "svg", ".png": "png", ".pdf": "pdf", ".md": "md",
           ".markdown": "md", ".csv": "csv", ".xlsx": "xlsx", ".mmd": "mermaid", ".mermaid": "mermaid",
           ".json": "json"}
_TEXT_FORMATS = ("svg", "md", "csv", "mermaid", "json")


def _err(msg: str) -> None:
    print(f"journeywidget: {msg}", file=sys.stderr)


def _load(path: str):
    """A Journey from a .json file, or imported from .csv/.xlsx/.mmd."""
    suffix = Path(path).suffix.lower()
    if suffix in (".csv", ".tsv", ".xlsx", ".xlsm"):
        from .export.tables import from_table

        return from_table(path)
    if suffix in (".mmd", ".mermaid"):
        from .export._readers import read_text
        from .export.limits import MAX_MERMAID_CHARS
        from .export.mermaid import from_mermaid

        return from_mermaid(read_text(path, max_bytes=4 * MAX_MERMAID_CHARS))
    from .journey import Journey

    return Journey.load(path)


def _load_metrics(path: str | None):
    if not path:
        return None
    import json

    return json.loads(Path(path).read_text(encoding="utf-8"))


# ----------------------------------------------------------------- commands
def cmd_validate(args: argparse.Namespace) -> int:
    from .core.errors import DocumentError, JourneyError

    bad = 0
    for f in args.files:
        try:
            journey = _load(f)
        except DocumentError as e:
            bad += 1
            n = len(e.errors)
            print(f"{f}: invalid ({n} problem{'s' if n != 1 else ''})")
            for d in e.errors[:50]:
                print(f"  {d.path}: {d.message}")
            if n > 50:
                print(f"  ... and {n - 50} more")
            continue
        except (JourneyError, OSError, UnicodeDecodeError, ValueError) as e:
            bad += 1
            msg = str(e).strip() or type(e).__name__
            lines = msg.splitlines()
            print(f"{f}: invalid: {lines[0]}")
            for line in lines[1:]:
                print(f"  {line.strip()}")
            continue
        tps = len(journey.to_dict().get("touchpoints", []))
        line = f"{f}: ok ({len(journey.stages)} stages, {tps} touchpoints)"
        if args.suggestions:
            hints = journey.check()
            line += f", {len(hints)} suggestion{'s' if len(hints) != 1 else ''}"
            print(line)
            for h in hints:
                print(f"  hint: {h}")
        else:
            print(line)
    if len(args.files) > 1:
        print(f"{len(args.files) - bad} valid, {bad} invalid")
    return 1 if bad else 0


def _render(journey, fmt: str, out: str | None, *, metrics=None, editable: bool = False, scale: float = 2) -> str | None:
    from . import export

    if fmt == "html":
        return export.to_html(journey, out, editable=editable, metrics=metrics)
    if fmt == "svg":
        return export.to_svg(journey, out, metrics=metrics)
    if fmt == "png":
        export.to_png(journey, out, scale=scale, metrics=metrics)
        return None
    if fmt == "pdf":
        export.to_pdf(journey, out, metrics=metrics)
        return None
    if fmt == "md":
        return export.to_markdown(journey, metrics, path=out)
    if fmt == "csv":
        return export.to_csv(journey, out, metrics=metrics)
    if fmt == "xlsx":
        export.to_excel(journey, out, metrics=metrics)
        return None
    if fmt == "mermaid":
        text = export.to_mermaid(journey)
        if out:
            from .core.atomic import atomic_write

            atomic_write(out, text)
        return text
    if fmt == "json":
        if out:
            journey.save(out)
        return journey.to_json()
    raise ValueError(fmt)


def cmd_render(args: argparse.Namespace) -> int:
    from .core.errors import JourneyError

    fmt = args.to
    if fmt is None:
        fmt = _BY_EXT.get(Path(args.output).suffix.lower()) if args.output else None
        if fmt is None:
            fmt = "html"
    out = args.output
    if out == "-":
        if fmt not in _TEXT_FORMATS + ("html",):
            _err(f"--to {fmt} is binary; give a file with -o")
            return 2
        out = None
    elif out is None and fmt not in _TEXT_FORMATS:
        out = str(Path(args.file).with_suffix(_EXT[fmt]))
        if Path(out).resolve() == Path(args.file).resolve():
            _err("the output would overwrite the input; give -o")
            return 2
    try:
        journey = _load(args.file)
        metrics = _load_metrics(args.metrics)
        text = _render(journey, fmt, out, metrics=metrics, editable=args.editable, scale=args.scale)
    except ImportError as e:
        _err(str(e))
        return 1
    except (JourneyError, OSError, ValueError) as e:
        _err(f"{args.file}: {e}")
        return 1
    if out is None:
        sys.stdout.write(text or "")
    else:
        print(out)
    return 0


def cmd_templates(args: argparse.Namespace) -> int:
    from .document.templates import templates

    infos = templates(args.dir)
    if args.json:
        import json

        print(json.dumps([{"name": t.name, "title": t.title, "journey_type": t.journey_type, "stages": list(t.stages),
                           "source": t.source} for t in infos], ensure_ascii=False, indent=2))
        return 0
    width = max((len(t.name) for t in infos), default=0)
    for t in infos:
        print(f"{t.name.ljust(width)}  {t.title}")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    from .core.errors import JourneyError
    from .journey import Journey

    out = Path(args.output)
    if out.exists() and not args.force:
        _err(f"{out} exists; use --force to overwrite")
        return 1
    try:
        journey = Journey.from_template(args.template, directory=args.dir)
    except JourneyError as e:
        _err(str(e))
        return 1
    if args.title:
        journey.update(journey.id, title=args.title)
    try:
        journey.save(out)
    except (JourneyError, OSError) as e:  # a read-only file or a missing folder: say so, no traceback
        _err(str(e))
        return 1
    print(out)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from .export.demo import build_demo

    out = Path(args.output or "journeywidget-demo.html")
    try:
        build_demo(out, template=args.template, customers=args.customers, seed=args.seed)
    except ImportError as e:
        _err(str(e))
        return 1
    print(out.resolve())
    return 0


# ----------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="journeywidget",
        description="Customer journey maps: check files, render reports, start from templates.",
    )
    p.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    v = sub.add_parser("validate", help="check journey files; exit 1 if any is invalid")
    v.add_argument("files", nargs="+", metavar="FILE", help="journey .json files (or .csv/.xlsx/.mmd to import)")
    v.add_argument("--suggestions", "-s", action="store_true", help="also list what each map still lacks")
    v.set_defaults(func=cmd_validate)

    r = sub.add_parser("render", help="render a map as html, svg, png, pdf, md, csv, xlsx or mermaid")
    r.add_argument("file", metavar="FILE", help="a journey .json file (or .csv/.xlsx/.mmd)")
    r.add_argument("--to", "-t", choices=FORMATS, help="output format (default: from -o's extension, else html)")
    r.add_argument("-o", "--output", metavar="OUT",
                   help="output file ('-' for stdout); default: stdout for text formats, FILE with the new extension otherwise")
    r.add_argument("--metrics", metavar="JSON", help="a metrics payload (JourneyMetrics.to_payload()) as JSON")
    r.add_argument("--editable", action="store_true", help="html: let the page edit the map and download the JSON")
    r.add_argument("--scale", type=float, default=2, help="png: pixels per SVG unit (default 2)")
    r.set_defaults(func=cmd_render)

    t = sub.add_parser("templates", help="list the templates (name and title)")
    t.add_argument("--dir", help="also list templates in this folder")
    t.add_argument("--json", action="store_true", help="print JSON")
    t.set_defaults(func=cmd_templates)

    n = sub.add_parser("new", help="start a map from a template")
    n.add_argument("template", metavar="TEMPLATE", help="a template name (see `journeywidget templates`)")
    n.add_argument("-o", "--output", required=True, metavar="FILE", help="the journey file to write")
    n.add_argument("--title", help="title of the new map")
    n.add_argument("--dir", help="a folder with more templates")
    n.add_argument("--force", "-f", action="store_true", help="overwrite FILE")
    n.set_defaults(func=cmd_new)

    d = sub.add_parser("demo", help="write an HTML report of a template map bound to generated sample data")
    d.add_argument("-o", "--output", metavar="OUT", help="the HTML file (default: journeywidget-demo.html)")
    d.add_argument("--template", default=None, help="template to use (default: ecommerce-purchase)")
    d.add_argument("--customers", type=int, default=2000, help="how many sample customers (default 2000)")
    d.add_argument("--seed", type=int, default=7, help="random seed of the sample data")
    d.set_defaults(func=cmd_demo)
    return p


def _version() -> str:
    from . import __version__

    return __version__


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:  # pragma: no cover
        return 130
    except BrokenPipeError:  # pragma: no cover - e.g. `journeywidget render x.json --to md | head`
        return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
