"""Files: malformed corpus, migration, atomic save, git-friendly format, round trips."""

import json
import os
from pathlib import Path

import pytest

import journeywidget as jw
from journeywidget.document import io as document

DATA = Path(__file__).parent / "data"
MALFORMED = DATA / "malformed"
EXPECTED = json.loads((MALFORMED / "expected.json").read_text())


def test_corpus_is_big_enough():
    assert len(EXPECTED) >= 25


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_file_refused_with_path(name):
    with pytest.raises(jw.DocumentError) as info:
        jw.Journey.load(MALFORMED / name)
    err = info.value
    assert isinstance(err, ValueError)
    assert EXPECTED[name] in err.paths, (EXPECTED[name], err.paths)
    assert EXPECTED[name] in str(err)
    assert str(MALFORMED / name) in str(err)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_malformed_text_refused_by_from_json(name):
    raw = (MALFORMED / name).read_bytes()
    with pytest.raises(jw.DocumentError) as info:
        jw.Journey.from_json(raw)
    assert EXPECTED[name] in info.value.paths


def test_fifty_megabyte_file_refused(tmp_path):
    big = tmp_path / "big.json"
    good = json.loads((DATA / "good_minimal.json").read_text())
    good["description"] = "x" * (50 * 1024 * 1024)
    big.write_text(json.dumps(good))
    assert big.stat().st_size > 50 * 1024 * 1024
    with pytest.raises(jw.DocumentError) as info:
        jw.Journey.load(big)
    assert info.value.paths == ["$"]
    assert "MB" in str(info.value) and "max_bytes" in str(info.value)


def test_good_minimal_loads():
    j = jw.Journey.load(DATA / "good_minimal.json")
    assert [s.name for s in j.stages] == ["Browse", "Buy"]


def test_every_error_reported_at_once():
    d = json.loads((DATA / "good_minimal.json").read_text())
    d["touchpoints"][0]["stage"] = "nowhere"
    d["cards"][0]["lane"] = "nowhere"
    d["comments"][0]["target"] = "ghost"
    with pytest.raises(jw.DocumentError) as info:
        jw.Journey.from_dict(d)
    assert set(info.value.paths) == {"$.touchpoints[0].stage", "$.cards[0].lane", "$.comments[0].target"}
    assert "use one of: 'browse', 'buy'" in str(info.value)


def test_from_dict_does_not_touch_input():
    d = json.loads((DATA / "good_minimal.json").read_text())
    before = json.dumps(d)
    jw.Journey.from_dict(d).add_stage("More")
    assert json.dumps(d) == before


def test_v0_document_is_migrated():
    j = jw.Journey.load(DATA / "v0_example.json")
    assert j.to_dict()["schema_version"] == 1
    assert [s.name for s in j.stages] == ["Discover", "Join"]
    tps = {t.name: t for t in j.touchpoints}
    assert tps["Instagram post"].emotion == 1  # 4 on 1..5 -> 1 on -2..2
    assert tps["Loyalty app sign-up"].emotion == -2
    assert tps["Loyalty app sign-up"].stage == "join"
    assert j.personas[0].name == "Giulia"
    assert {lane.kind for lane in j.lanes} >= {"actions", "touchpoints", "emotions"}


def test_newer_version_message():
    d = json.loads((DATA / "good_minimal.json").read_text())
    d["schema_version"] = 2
    with pytest.raises(jw.DocumentError, match=r"newer than this journeywidget.*pip install -U journeywidget"):
        jw.Journey.from_dict(d)


def test_save_is_atomic_when_write_fails(tmp_path, monkeypatch):
    path = tmp_path / "map.json"
    j = jw.Journey.from_template("ecommerce-purchase")
    j.save(path)
    original = path.read_bytes()
    j.update(j.touchpoints[0].id, name="Renamed")

    real_fsync = os.fsync

    def failing_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    with pytest.raises(OSError, match="No space"):
        j.save(path)
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert path.read_bytes() == original
    assert [p.name for p in tmp_path.iterdir()] == ["map.json"]  # no temp file left behind


def test_save_is_atomic_when_write_dies_midway(tmp_path, monkeypatch):
    path = tmp_path / "map.json"
    j = jw.Journey.from_template("saas-onboarding")
    j.save(path)
    original = path.read_bytes()
    j.update(j.stages[0].id, name="Changed")

    import io

    real_fdopen = os.fdopen

    class HalfWriter(io.RawIOBase):
        def __init__(self, fh):
            self.fh = fh

        def write(self, data):
            self.fh.write(bytes(data[: len(data) // 2]))
            raise OSError(5, "I/O error")

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

    monkeypatch.setattr(os, "fdopen", lambda fd, mode: HalfWriter(real_fdopen(fd, mode)))
    with pytest.raises(OSError, match="I/O error"):
        j.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == original
    assert jw.Journey.load(path).stages[0].name != "Changed"
    assert len(list(tmp_path.iterdir())) == 1


def test_rename_changes_exactly_one_line(tmp_path):
    path = tmp_path / "map.json"
    j = jw.Journey.from_template("ecommerce-purchase")
    j.save(path)
    before = path.read_text(encoding="utf-8").splitlines()
    tp = j.touchpoints[3]
    j.update(tp.id, name=tp.name + " (new)")
    j.save(path)
    after = path.read_text(encoding="utf-8").splitlines()
    assert len(before) == len(after)
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert len(changed) == 1, changed
    assert "(new)" in changed[0][1]


def test_file_format_is_stable_and_utf8(tmp_path):
    j = jw.Journey("Café — поездка")
    j.add_stage("Покупка")
    path = tmp_path / "m.json"
    j.save(path)
    text = path.read_text(encoding="utf-8")
    assert "Покупка" in text and "\\u" not in text
    assert text.endswith("}\n")
    assert list(json.loads(text)) == list(jw.schema()["properties"])
    j.save(path)
    assert path.read_text(encoding="utf-8") == text
    assert j.stages[0].id == "покупка"


def test_shipped_schema_is_current():
    from journeywidget.document.schema import json_schema

    assert jw.schema() == json.loads(json.dumps(json_schema()))


def test_schema_validates_templates_with_jsonschema():
    import jsonschema
    for t in jw.templates():
        jsonschema.validate(json.loads(t.path.read_text()), jw.schema())


def test_templates_round_trip(tmp_path):
    names = [t.name for t in jw.templates()]
    assert len(names) >= 6
    for name in names:
        j = jw.Journey.from_template(name)
        assert jw.Journey.from_dict(j.to_dict()) == j
        assert jw.Journey.from_json(j.to_json()) == j
        path = tmp_path / f"{name}.json"
        j.save(path)
        assert jw.Journey.load(path) == j
        assert path.read_text(encoding="utf-8") == j.to_json()


def test_dumps_refuses_nan():
    with pytest.raises(ValueError):
        document.dumps({"x": float("nan")})
