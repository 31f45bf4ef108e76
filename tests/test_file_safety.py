"""Saves and exports never lose data (issue 11, item 7), and a chart vl-convert cannot draw is
our own error (item 10, second half)."""

from __future__ import annotations

import os
import stat

import pytest

import journeywidget as jw
from journeywidget.core import atomic as _atomic
from journeywidget.export import to_csv, to_excel, to_html, to_markdown, to_pdf, to_png, to_svg


def _map(title: str = "Saves") -> jw.Journey:
    j = jw.Journey.from_template("saas-onboarding")
    j.update(j.id, title=title)
    return j


# ------------------------------------------------------------------ two writers
def test_second_writer_is_refused_instead_of_losing_the_first(tmp_path):
    path = tmp_path / "map.json"
    _map().save(path)
    alice, bob = jw.Journey.load(path), jw.Journey.load(path)
    alice.add_stage("Alice's stage")
    alice.save(path)
    bob.add_stage("Bob's stage")
    before = path.read_bytes()
    with pytest.raises(jw.SaveConflictError) as info:
        bob.save(path)
    err = info.value
    assert isinstance(err, jw.FileWriteError) and isinstance(err, OSError) and err.path == str(path)
    assert "changed on disk" in str(err) and "overwrite=True" in str(err) and "diff" in str(err)
    assert path.read_bytes() == before  # Alice's change is still there
    assert [p.name for p in tmp_path.iterdir()] == ["map.json"]
    other = jw.Journey.load(path)
    assert [c.text for c in bob.diff(other)] == ["removed stage \"Bob's stage\"", "added stage \"Alice's stage\""]
    bob.save(path, overwrite=True)
    assert jw.Journey.load(path) == bob
    bob.add_stage("More")
    bob.save(path)  # bob wrote it last: no conflict


def test_what_keeps_working_for_a_notebook(tmp_path):
    path = tmp_path / "map.json"
    for _ in range(3):  # a cell that builds a map and saves it, run again and again
        j = _map()
        j.add_stage("Every run")
        j.save(path)
    j.save(path)
    j.save(path)  # the same journey saving repeatedly
    other = tmp_path / "other.json"
    _map("Other").save(other)
    j.save(other)  # a file this journey never read: overwritten as before
    assert jw.Journey.load(other) == j
    loaded = jw.Journey.load(path)
    path.unlink()
    loaded.save(path)  # the file went away: nothing to lose
    theirs = jw.Journey.load(path)
    theirs.save(path)
    loaded.save(path)  # the file changed on disk, but to exactly what this journey holds
    assert jw.Journey.load(path) == loaded


def test_conflict_is_checked_through_a_symlink_too(tmp_path):
    path = tmp_path / "map.json"
    link = tmp_path / "link.json"
    _map().save(path)
    link.symlink_to(path)
    mine = jw.Journey.load(link)
    theirs = jw.Journey.load(path)
    theirs.add_stage("Theirs")
    theirs.save(path)
    mine.add_stage("Mine")
    with pytest.raises(jw.SaveConflictError):
        mine.save(path)


# ------------------------------------------------------------------ links and permissions
def test_symlink_is_written_through_to_its_target(tmp_path):
    real = tmp_path / "real" / "map.json"
    real.parent.mkdir()
    _map("Old").save(real)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    chain = tmp_path / "chain.json"
    chain.symlink_to(link)
    _map("New").save(chain)
    assert link.is_symlink() and chain.is_symlink()
    assert jw.Journey.load(real).title == "New"
    assert sorted(p.name for p in real.parent.iterdir()) == ["map.json"]
    dangling = tmp_path / "dangling.csv"
    dangling.symlink_to(tmp_path / "real" / "later.csv")
    to_csv(_map(), dangling)
    assert dangling.is_symlink() and (tmp_path / "real" / "later.csv").read_text().startswith("stage,")
    loop = tmp_path / "loop.json"
    loop.symlink_to(tmp_path / "loop.json")
    with pytest.raises(jw.FileWriteError, match="loops"):
        _map().save(loop)


def test_hard_links_all_see_the_new_content(tmp_path):
    first = tmp_path / "map.json"
    second = tmp_path / "backup" / "same-map.json"
    second.parent.mkdir()
    _map("Old").save(first)
    os.link(first, second)
    inode = first.stat().st_ino
    j = jw.Journey.load(first)
    j.update(j.id, title="New", description="x" * 5000)  # longer than before
    j.save(first)
    assert first.stat().st_ino == second.stat().st_ino == inode and first.stat().st_nlink == 2
    assert jw.Journey.load(second).title.startswith("New")
    j.update(j.id, title="Short")  # shorter: the tail is cut
    j.save(second)
    assert first.read_bytes() == second.read_bytes() == j.to_json().encode()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup", "map.json"]


def test_failed_hard_link_rewrite_puts_the_old_bytes_back(tmp_path, monkeypatch):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    _map("Old").save(first)
    os.link(first, second)
    before = first.read_bytes()
    real_write = os.write
    calls = {"n": 0}

    def failing_write(fd, data):
        calls["n"] += 1
        if calls["n"] == 1:  # the first write of the new content: half of it, then the disk fails
            real_write(fd, bytes(data[: len(data) // 2]))
            raise OSError(5, "I/O error")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", failing_write)
    j = jw.Journey.load(first)
    j.update(j.id, title="New")
    with pytest.raises(OSError, match="I/O error"):
        j.save(first)
    monkeypatch.undo()
    assert first.read_bytes() == second.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.json"]


def test_read_only_files_folders_and_missing_folders_are_refused(tmp_path):
    path = tmp_path / "map.json"
    _map().save(path)
    os.chmod(path, 0o444)
    before = path.read_bytes()
    j = jw.Journey.load(path)
    j.add_stage("More")
    for write in (lambda: j.save(path), lambda: j.save(path, overwrite=True), lambda: to_csv(j, path),
                  lambda: to_svg(j, path)):
        with pytest.raises(jw.FileWriteError, match="read-only.*chmod u\\+w") as info:
            write()
        assert info.value.path == str(path)
    assert path.read_bytes() == before and stat.S_IMODE(path.stat().st_mode) == 0o444
    with pytest.raises(jw.FileWriteError, match="is a folder"):
        j.save(tmp_path)
    with pytest.raises(jw.FileWriteError, match="does not exist.*mkdir"):
        to_markdown(j, path=tmp_path / "nowhere" / "map.md")
    with pytest.raises(OSError):  # FileWriteError is an OSError too, for code that catches those
        j.save(tmp_path)


def test_a_folder_that_takes_no_new_files_still_lets_an_existing_file_be_saved(tmp_path, monkeypatch):
    import tempfile

    path = tmp_path / "shared.json"
    _map("Old").save(path)
    inode = path.stat().st_ino

    def no_new_files(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", no_new_files)
    j = jw.Journey.load(path)
    j.update(j.id, title="New")
    j.save(path)  # rewritten in place
    assert path.stat().st_ino == inode and jw.Journey.load(path).title == "New"
    with pytest.raises(PermissionError):  # a new file cannot be made there at all
        j.save(tmp_path / "new.json")


def test_file_mode_is_kept_and_new_files_follow_the_umask(tmp_path):
    path = tmp_path / "private.json"
    _map().save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~_atomic._umask()
    os.chmod(path, 0o600)
    j = jw.Journey.load(path)
    j.add_stage("More")
    j.save(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# ------------------------------------------------------------------ every export is atomic
def _exports(tmp_path):
    return {
        "map.html": lambda j, p: to_html(j, p),
        "map.csv": lambda j, p: to_csv(j, p),
        "map.svg": lambda j, p: to_svg(j, p),
        "map.png": lambda j, p: to_png(j, p, scale=0.5),
        "map.pdf": lambda j, p: to_pdf(j, p),
        "map.xlsx": lambda j, p: to_excel(j, p),
        "map.md": lambda j, p: to_markdown(j, path=p),
        "map.json": lambda j, p: j.save(p),
    }


@pytest.mark.parametrize("name", list(_exports(None)))
def test_a_failing_disk_leaves_the_previous_export_intact(name, tmp_path, monkeypatch):
    write = _exports(tmp_path)[name]
    path = tmp_path / name
    j = _map("First")
    write(j, path)
    before = path.read_bytes()
    assert before
    j.update(j.id, title="Second, which never lands")

    def no_space(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(OSError, match="No space"):
        write(j, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [name]  # no temporary file left behind


def test_cli_mermaid_output_is_atomic_too(tmp_path, monkeypatch):
    from journeywidget.cli import main

    src = tmp_path / "map.json"
    _map().save(src)
    out = tmp_path / "map.mmd"
    assert main(["render", str(src), "--to", "mermaid", "-o", str(out)]) == 0
    before = out.read_bytes()
    monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(28, "No space left on device")))
    assert main(["render", str(src), "--to", "mermaid", "-o", str(out)]) == 1
    monkeypatch.undo()
    assert out.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["map.json", "map.mmd"]


# ------------------------------------------------------------------ 10b: charts vl-convert cannot draw
def test_chart_vl_convert_cannot_draw_is_a_journey_error_naming_it():
    import altair as alt
    import pandas as pd

    j = _map()
    chart = alt.Chart(pd.DataFrame({"a\u2028b": [1, 2], "lab": ["x", "y"]})).mark_bar().encode(
        x="a\u2028b:Q", y="lab:N").properties(title="Weekly\u2028signups")
    for render in (lambda: to_svg(j, overlays=[chart]), lambda: to_png(j, overlays=[chart]),
                   lambda: to_pdf(j, overlays=[{"title": "My chart", "spec": chart.to_dict()}])):
        with pytest.raises(jw.JourneyError) as info:
            render()
        msg = str(info.value)
        assert "cannot be drawn" in msg and "U+2028" in msg
        assert "chart 'Weekly\\u2028signups'" in msg or "chart 'My chart'" in msg  # the separator shown, escaped
    untitled = {"mark": "bar", "encoding": {"x": {"field": "a\u2029", "type": "quantitative"}},
                "data": {"values": [{"a\u2029": 1}]}}
    with pytest.raises(jw.JourneyError, match="chart 2 of the overlays"):
        to_svg(j, overlays=["<svg xmlns='http://www.w3.org/2000/svg' width='10' height='10'/>", untitled])
    fine = alt.Chart(pd.DataFrame({"a": [1, 2]})).mark_bar().encode(x="a:Q").properties(title="Fine\u2028title")
    assert "<svg" in to_svg(j, overlays=[fine])  # a separator in a title alone is drawn


def test_cli_new_over_a_read_only_file_is_a_message_not_a_traceback(tmp_path, capsys):
    from journeywidget.cli import main

    path = tmp_path / "map.json"
    path.write_text("{}")
    os.chmod(path, 0o444)
    assert main(["new", "saas-onboarding", "-o", str(path), "--force"]) == 1
    assert "read-only" in capsys.readouterr().err and path.read_text() == "{}"
