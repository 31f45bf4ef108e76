"""Working as a team through git: the merge driver end to end, diffs in sentences, maps at a
revision, drafts beside the map, and the merge/diff/outline/git-setup commands."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import journeywidget as jw
from journeywidget.cli import main
from journeywidget.document.drafts import drafts_path

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


@pytest.fixture
def git(tmp_path, monkeypatch):
    """A git repository in a temporary folder; settings are local to it (HOME is the temp folder)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess:
        out = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)
        if check and out.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed: {out.stdout}{out.stderr}")
        return out

    run("init", "-q", "-b", "main")
    run("config", "user.name", "Test")
    run("config", "user.email", "test@example.com")
    run.repo = repo  # type: ignore[attr-defined]
    return run


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "journeywidget", *args], cwd=cwd, capture_output=True, text=True)


def edit(path: Path, *changes) -> None:
    j = jw.Journey.load(path)
    for change in changes:
        change(j)
    j.save(path)


# -- git end to end ---------------------------------------------------------------
def test_two_branches_merge_item_by_item_through_the_driver(git):
    repo = git.repo
    setup = cli("git-setup", "--repo", str(repo))
    assert setup.returncode == 0, setup.stderr
    assert cli("git-setup", "--repo", str(repo)).stdout.strip().endswith("already set up for *.journey.json")
    assert (repo / ".gitattributes").read_text() == "*.journey.json merge=journeywidget diff=journeywidget\n"
    assert "-m journeywidget merge %O %A %B" in git("config", "merge.journeywidget.driver").stdout
    path = repo / "shop.journey.json"
    jw.Journey.from_template("ecommerce-purchase").save(path)
    git("add", ".")
    git("commit", "-qm", "base")

    git("checkout", "-qb", "theirs")
    edit(path, lambda j: j.update("cart-page", name="Basket page"),
         lambda j: j.move_stage("returns-support", 0),
         lambda j: j.add_touchpoint("Live chat", stage="checkout", channel="chat"),
         lambda j: j.update("payment-step", name="Pay (theirs)"))
    git("commit", "-qam", "theirs")
    git("checkout", "-q", "main")
    edit(path, lambda j: j.move_touchpoint("cart-reminder-email", stage="checkout"),
         lambda j: j.add_stage("Loyalty"),
         lambda j: j.update("payment-step", name="Pay (ours)"),
         lambda j: j.update("instagram-shopping-post", description="Reels too"))
    diff = git("diff").stdout  # an uncommitted edit, in sentences
    assert "moved touchpoint 'Cart reminder email' from Cart to Checkout" in diff
    assert "renamed touchpoint 'Payment step' to 'Pay (ours)'" in diff and '"name"' not in diff
    git("commit", "-qam", "ours")

    merged = git("merge", "theirs", "-m", "merge theirs", check=False)
    assert merged.returncode != 0 and "CONFLICT" in merged.stdout
    assert "theirs set name to 'Pay (theirs)'; kept ours, 'Pay (ours)'" in merged.stderr
    j = jw.Journey.load(path)  # the conflicted file loads: no text markers
    assert "<<<<<<<" not in path.read_text()
    assert j["cart-page"].name == "Basket page" and j["instagram-shopping-post"].description == "Reels too"
    assert j["cart-reminder-email"].stage == "checkout" and "loyalty" in j
    assert [s.id for s in j.stages][:2] == ["returns-support", "browse"]
    assert [t.name for t in j.touchpoints_in("checkout")][-1] == "Live chat"
    [conflict] = [c for c in j.comments if c.text.startswith("merge conflict:")]
    assert conflict.target == "payment-step" and j["payment-step"].name == "Pay (ours)"
    j.resolve(conflict.id)
    j.save(path)
    git("add", path.name)
    git("commit", "-qm", "merged")

    shown = git("diff", "HEAD~1", "HEAD").stdout  # what the merge brought to main, in sentences
    assert "renamed touchpoint 'Cart page' to 'Basket page'" in shown
    assert "moved stage 'Returns & support' from position 6 to 1" in shown
    assert "added touchpoint 'Live chat' to Checkout" in shown
    ext = git("log", "-p", "--ext-diff", "-1", "theirs").stdout
    assert "renamed touchpoint 'Payment step' to 'Pay (theirs)'" in ext
    outline = git("show", "theirs").stdout  # git show and log -p use the outline (textconv)
    assert "+  touchpoint 'Pay (theirs)' (payment-step) in Checkout" in outline
    assert "-  touchpoint 'Payment step' (payment-step) in Checkout" in outline


def test_a_clean_merge_commits_by_itself(git):
    repo = git.repo
    assert cli("git-setup", "--repo", str(repo), "--pattern", "*.json").returncode == 0
    path = repo / "map.json"
    jw.Journey.from_template("saas-onboarding").save(path)
    git("add", ".")
    git("commit", "-qm", "base")
    git("checkout", "-qb", "other")
    edit(path, lambda j: j.add_stage("Advocacy", index=0))
    git("commit", "-qam", "other")
    git("checkout", "-q", "main")
    edit(path, lambda j: j.add_stage("Renewal"))
    git("commit", "-qam", "main")
    git("merge", "-q", "other", "-m", "merge other")
    names = [s.name for s in jw.Journey.load(path).stages]
    assert names[0] == "Advocacy" and names[-1] == "Renewal"
    assert git("status", "--porcelain").stdout == ""


def test_a_committed_version_loads_by_revision(git, tmp_path):
    path = git.repo / "maps" / "shop.journey.json"
    path.parent.mkdir()
    j = jw.Journey("First")
    j.save(path)
    git("add", ".")
    git("commit", "-qm", "one")
    j.update(j.id, title="Second")
    j.save(path)
    git("commit", "-qam", "two")
    assert jw.Journey.load(path, revision="HEAD~1").title == "First"
    assert jw.Journey.load(path, revision="HEAD").title == "Second"
    with pytest.raises(jw.JourneyError, match="unknown revision 'HEAD~5'"):
        jw.Journey.load(path, revision="HEAD~5")
    with pytest.raises(jw.JourneyError, match="other.json is not in revision 'HEAD'"):
        jw.Journey.load(path.parent / "other.json", revision="HEAD")
    with pytest.raises(jw.JourneyError, match="revision: expected a git revision"):
        jw.Journey.load(path, revision="--output=x")
    outside = tmp_path / "outside"
    outside.mkdir()
    with pytest.raises(jw.JourneyError, match="is not in a git repository"):
        jw.Journey.load(outside / "map.json", revision="HEAD")


# -- drafts ------------------------------------------------------------------------
def test_drafts_survive_a_restart(tmp_path):
    path = tmp_path / "map.journey.json"
    j = jw.Journey("Demo")
    j.add_stage("Start")
    j.save(path)
    assert not drafts_path(path).exists()  # no checkpoints, no drafts file
    j.checkpoint("one stage")
    j.add_stage("End")
    j.save(path)
    again = jw.Journey.load(path)
    assert [c.name for c in again.checkpoints()] == ["one stage"]
    again.restore("one stage")
    assert [s.name for s in again.stages] == ["Start"]
    again.undo()
    assert [s.name for s in again.stages] == ["Start", "End"]
    other = jw.Journey("Other")  # saving another map there keeps the drafts already in the file
    other.checkpoint("other draft")
    other.save(path)
    assert [c.name for c in jw.Journey.load(path).checkpoints()] == ["one stage", "other draft"]


def test_a_broken_drafts_file_never_stops_the_map(tmp_path):
    path = tmp_path / "map.json"
    j = jw.Journey("Demo")
    j.save(path)
    drafts_path(path).write_text("{not json")
    with pytest.warns(RuntimeWarning, match="cannot be read"):
        assert jw.Journey.load(path).title == "Demo"
    j.checkpoint("mine")
    with pytest.warns(RuntimeWarning, match="left as it is"):
        j.save(path)
    assert drafts_path(path).read_text() == "{not json"
    entry = {"name": "bad", "created": "2026-01-01T00:00:00Z", "document": {"title": "no id"}}
    drafts_path(path).write_text(json.dumps({"format": "journeywidget drafts", "version": 1, "drafts": [entry]}))
    with pytest.warns(RuntimeWarning, match="skipped draft 'bad'"):
        assert jw.Journey.load(path).checkpoints() == []


# -- the commands ---------------------------------------------------------------------
def _three(tmp_path: Path, ours_edit, theirs_edit) -> tuple[Path, Path, Path]:
    base = jw.Journey.from_template("ecommerce-purchase")
    paths = []
    for name, change in (("base", None), ("ours", ours_edit), ("theirs", theirs_edit)):
        j = jw.Journey.from_dict(base.to_dict())
        if change:
            change(j)
        j.save(tmp_path / f"{name}.json")
        paths.append(tmp_path / f"{name}.json")
    return paths[0], paths[1], paths[2]


def test_merge_command_follows_gits_driver_convention(tmp_path, capsys):
    base, ours, theirs = _three(tmp_path, lambda j: j.add_stage("Loyalty"), lambda j: j.update("cart-page", name="Basket"))
    assert main(["merge", str(base), str(ours), str(theirs)]) == 0  # clean: exit 0, OURS overwritten
    j = jw.Journey.load(ours)
    assert "loyalty" in j and j["cart-page"].name == "Basket"
    base, ours, theirs = _three(tmp_path, lambda j: j.update("cart-page", name="A"), lambda j: j.update("cart-page", name="B"))
    before = ours.read_bytes()
    assert main(["merge", str(base), str(ours), str(theirs), "-o", str(tmp_path / "out.json")]) == 1
    err = capsys.readouterr().err
    assert "1 conflict" in err and "touchpoint 'A': theirs set name to 'B'; kept ours, 'A'" in err
    assert ours.read_bytes() == before  # -o: OURS untouched
    out = jw.Journey.load(tmp_path / "out.json")
    assert [c.target for c in out.comments if c.text.startswith("merge conflict:")] == ["cart-page"]
    theirs.write_text("{broken")
    assert main(["merge", str(base), str(ours), str(theirs)]) == 2  # bad input: nothing written
    assert ours.read_bytes() == before and "not valid JSON" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.write_text("")
    assert main(["merge", str(empty), str(ours), str(ours)]) == 0  # git's empty base: no base


def test_diff_command_speaks_sentences_for_two_files_and_for_git(tmp_path, capsys):
    _, ours, theirs = _three(tmp_path, None, lambda j: j.move_touchpoint("cart-page", stage="checkout"))
    assert main(["diff", str(ours), str(theirs)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].endswith(": 1 change")
    assert "  moved touchpoint 'Cart page' from Cart to Checkout" in out
    assert main(["diff", "shop.json", str(ours), "a" * 40, "100644", str(theirs), "b" * 40, "100644"]) == 0
    assert capsys.readouterr().out.startswith("shop.json: 1 change\n")
    assert main(["diff", "shop.json", "/dev/null", "0" * 40, "000000", str(theirs), "b" * 40, "100644"]) == 0
    assert "shop.json: new map 'E-commerce purchase: browse to returns' (6 stages, 18 touchpoints)" in capsys.readouterr().out
    (tmp_path / "bad.json").write_text('{"title": 1}\n')
    assert main(["diff", str(ours), str(tmp_path / "bad.json")]) == 0  # not a map: a text diff, never a crash
    assert "not a valid journey map" in capsys.readouterr().out
    assert main(["diff", "a", "b", "c"]) == 2


def test_outline_command_and_git_setup_outside_a_repository(tmp_path, capsys):
    j = jw.Journey("Shop")
    j.add_stage("Decision")
    j.save(tmp_path / "m.json")
    assert main(["outline", str(tmp_path / "m.json")]) == 0
    assert "stage 'Decision' (decision)" in capsys.readouterr().out
    (tmp_path / "x.json").write_text("not a map")
    assert main(["outline", str(tmp_path / "x.json")]) == 0 and capsys.readouterr().out == "not a map"
    assert main(["git-setup", "--repo", str(tmp_path)]) == 1
    assert "is not in a git repository" in capsys.readouterr().err


def test_the_driver_command_runs_outside_the_virtualenv(git):
    """git runs the driver through the shell with git's own PATH: the command names the interpreter."""
    assert cli("git-setup", "--repo", str(git.repo)).returncode == 0
    driver = shlex.split(git("config", "merge.journeywidget.driver").stdout)
    assert driver[:5] == [sys.executable, "-m", "journeywidget", "merge", "%O"] and os.path.isabs(driver[0])
