"""The ``journeywidget`` command: validate, render, list templates, start a map, run the demo,
merge maps and show their differences (also as git's merge and diff drivers).

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


# ----------------------------------------------------------------- working as a team
def cmd_merge(args: argparse.Namespace) -> int:
    from .collab import merge
    from .core.errors import JourneyError
    from .document.io import write_file

    name = args.name or args.ours
    try:
        result = merge(args.base, args.ours, args.theirs)
    except (JourneyError, OSError, ValueError) as e:
        _err(f"merge {name}: {e}")
        return 2
    out = args.output or args.ours
    try:
        write_file(out, result.journey.to_json())
    except OSError as e:
        _err(f"merge {name}: cannot write {out}: {e}")
        return 2
    if result.clean:
        return 0
    n = len(result.conflicts)
    _err(f"{name}: {n} conflict{'s' if n != 1 else ''}; ours kept, each written onto the map as a "
         "'merge conflict:' comment. Resolve them in the widget (resolving the comment closes it), then commit.")
    for c in result.conflicts:
        print(f"  {c}", file=sys.stderr)
    return 1


def cmd_git_setup(args: argparse.Namespace) -> int:
    import shlex

    from .core.errors import JourneyError
    from .document.gitio import repo_root, setup_repo

    command = f"{shlex.quote(sys.executable)} -m journeywidget"
    try:
        changes = setup_repo(args.repo, args.pattern, command)
        root = repo_root(args.repo)
    except JourneyError as e:
        _err(str(e))
        return 1
    for change in changes:
        print(change)
    if not changes:
        print(f"{root}: already set up for {args.pattern}")
    else:
        print("Commit .gitattributes so the team shares it; each clone runs `journeywidget git-setup` once "
              "(git keeps drivers in .git/config, which is not shared).")
    return 0


def _read_map(path: str):
    """``(document or None, text, problem)``: git passes /dev/null for a side that does not exist."""
    from .core.errors import JourneyError
    from .document.io import parse_json, validate_document

    if path == "/dev/null":
        return None, "", None
    raw = Path(path).read_bytes()
    text = raw.decode("utf-8", errors="replace")
    try:
        return validate_document(parse_json(raw, path), path), text, None
    except JourneyError as e:
        return None, text, str(e).splitlines()[0]


def cmd_diff(args: argparse.Namespace) -> int:
    import difflib

    from .document.diff import diff_documents

    files = args.files
    if len(files) == 2:
        (old, new), label = files, f"{files[0]} -> {files[1]}"
    elif len(files) in (7, 9):  # git: path old-file old-hex old-mode new-file new-hex new-mode [new-path message]
        old, new, label = files[1], files[4], files[0] if len(files) == 7 else f"{files[0]} -> {files[7]}"
    else:
        _err("diff: give two journey files (or git's 7 arguments, as its diff driver)")
        return 2
    try:
        (a, a_text, a_bad), (b, b_text, b_bad) = _read_map(old), _read_map(new)
    except OSError as e:
        _err(f"diff: {e}")
        return 2
    if a_bad or b_bad:
        print(f"{label}: not a valid journey map ({a_bad or b_bad}); the text differences:")
        sys.stdout.writelines(difflib.unified_diff(a_text.splitlines(True), b_text.splitlines(True), "a", "b"))
    elif a is None or b is None:
        doc = b if a is None else a
        print(f"{label}: {'new' if a is None else 'removed'} map {doc['title']!r} ({len(doc['stages'])} stages, "
              f"{len(doc['touchpoints'])} touchpoints)")
    else:
        changes = diff_documents(a, b)
        if not changes:
            print(f"{label}: the map is the same (only its file layout or dates differ)")
        else:
            print(f"{label}: {len(changes)} change{'s' if len(changes) != 1 else ''}")
            for c in changes:
                print(f"  {c}")
    return 0


def cmd_outline(args: argparse.Namespace) -> int:
    from .document.outline import outline

    try:
        doc, text, _ = _read_map(args.file)
    except OSError as e:
        _err(f"outline: {e}")
        return 2
    sys.stdout.write(outline(doc) if doc is not None else text)
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

    m = sub.add_parser("merge", help="merge two edited copies of a map item by item (git's merge-driver convention)",
                       description="Three-way merge by item and field. Exit 0 when clean, 1 with conflicts (listed on "
                                   "stderr and written onto the map as comments), 2 on bad input (nothing written).")
    m.add_argument("base", metavar="BASE", help="the version both started from (an empty file: none)")
    m.add_argument("ours", metavar="OURS", help="our version (overwritten with the result unless -o is given)")
    m.add_argument("theirs", metavar="THEIRS", help="their version")
    m.add_argument("-o", "--output", metavar="OUT", help="write the merged map here instead of over OURS")
    m.add_argument("--name", help="the file's name in messages (git passes %%P)")
    m.set_defaults(func=cmd_merge)

    g = sub.add_parser("git-setup", help="set up git to merge maps item by item and diff them in sentences")
    g.add_argument("--pattern", default="*.journey.json", help="which files are maps (default: *.journey.json)")
    g.add_argument("--repo", default=".", help="a folder in the git repository (default: here)")
    g.set_defaults(func=cmd_git_setup)

    f = sub.add_parser("diff", help="what changed between two maps, in sentences (also git's diff driver)")
    f.add_argument("files", nargs="+", metavar="FILE", help="OLD NEW, or the 7 arguments git passes to a diff driver")
    f.set_defaults(func=cmd_diff)

    o = sub.add_parser("outline", help="print a map as an outline, one line per item and field (git's textconv)")
    o.add_argument("file", metavar="FILE")
    o.set_defaults(func=cmd_outline)
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
