"""The disk cache of derived model data (pipeline/cache.py): built once per version of its
sources, and never trusted blindly: a corrupt, foreign or unwritable cache means a rebuild."""
from __future__ import annotations

import pickle

import pytest

from pipeline import cache


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("BAOCAO_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "danh-muc.json"
    path.write_text('{"xã Quài Tở": "huyện Tuần Giáo"}', encoding="utf-8")
    return path


def counting_build():
    calls = []

    def build():
        calls.append(1)
        return {"units": ["Xã Quài Tở", "Xã Mường Mùn"], "build": len(calls)}
    return build, calls


def test_built_once_then_loaded(folder, source):
    build, calls = counting_build()
    first = cache.cached("units", build, [source])
    again = cache.cached("units", build, [source])
    assert first == again == {"units": ["Xã Quài Tở", "Xã Mường Mùn"], "build": 1}
    assert len(calls) == 1
    assert len(list(folder.glob("units-*.pickle"))) == 1
    assert folder.stat().st_mode & 0o077 == 0  # pickles: private to the user


def test_a_changed_source_is_rebuilt(folder, source):
    build, calls = counting_build()
    cache.cached("units", build, [source])
    source.write_text('{"xã Quài Tở": "tỉnh Điện Biên"}', encoding="utf-8")
    assert cache.cached("units", build, [source])["build"] == 2
    assert cache.cached("units", build, [source])["build"] == 2  # the new entry is kept


@pytest.mark.parametrize("garbage", [b"", b"not a pickle", pickle.dumps({"units": 1})[:-3],
                                     pickle.dumps("a string, not what is expected")])
def test_a_corrupt_or_foreign_entry_is_rebuilt_and_replaced(folder, source, garbage):
    build, calls = counting_build()
    cache.cached("units", build, [source], check=lambda v: isinstance(v, dict))
    (entry,) = folder.glob("units-*.pickle")
    entry.write_bytes(garbage)
    value = cache.cached("units", build, [source], check=lambda v: isinstance(v, dict))
    assert value["build"] == 2
    assert pickle.loads(entry.read_bytes())["build"] == 2


def test_an_unwritable_or_disabled_cache_only_costs_the_build(tmp_path, monkeypatch, source):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("BAOCAO_CACHE_DIR", str(blocker / "cache"))  # cannot be created
    build, calls = counting_build()
    assert cache.cached("units", build, [source])["build"] == 1
    assert cache.cached("units", build, [source])["build"] == 2
    monkeypatch.setenv("BAOCAO_CACHE_DIR", "off")
    assert cache.cached("units", build, [source])["build"] == 3
    assert cache.cache_dir() is None


def test_old_entries_are_dropped_past_a_few_versions(folder, source):
    build, _ = counting_build()
    for i in range(cache.KEEP + 3):
        source.write_text(f'{{"version": {i}}}', encoding="utf-8")
        cache.cached("units", build, [source])
    assert len(list(folder.glob("units-*.pickle"))) == cache.KEEP


def test_the_cached_gazetteer_is_the_built_one(folder):
    from pipeline.analysis import places

    places.gazetteer.cache_clear()
    try:
        built = places.gazetteer()  # built, then written
        assert list(folder.glob("gazetteer-*.pickle"))
        places.gazetteer.cache_clear()
        loaded = places.gazetteer()
        assert loaded is not built
        for name in ("provinces", "districts", "wards", "new_wards", "province_by_key",
                     "district_by_key"):
            assert getattr(loaded, name) == getattr(built, name), name
        assert [u.code for u in loaded.candidates("xã", "Quài Tở")] == \
            [u.code for u in built.candidates("xã", "Quài Tở")]
    finally:
        places.gazetteer.cache_clear()


def _planted(folder, source):
    """An entry at the very path the cache would load, holding what nobody built."""
    folder.mkdir(mode=0o700, exist_ok=True)
    entry = folder / f"units-{cache.key('units', [source])}.pickle"
    entry.write_bytes(pickle.dumps({"planted": True}))
    entry.chmod(0o600)
    return entry


@pytest.mark.parametrize("loosen", ["folder", "file"])
def test_an_entry_others_could_write_is_neither_loaded_nor_replaced(folder, source, loosen):
    entry = _planted(folder, source)
    (folder if loosen == "folder" else entry).chmod(0o777 if loosen == "folder" else 0o666)
    build, calls = counting_build()
    assert cache.cached("units", build, [source]) == {"units": ["Xã Quài Tở", "Xã Mường Mùn"], "build": 1}
    assert pickle.loads(entry.read_bytes()) == {"planted": True}  # not written either
    assert sorted(p.name for p in folder.iterdir()) == [entry.name]


def test_an_entry_of_another_user_is_not_loaded(folder, source, monkeypatch):
    entry = _planted(folder, source)
    assert cache.cached("units", counting_build()[0], [source]) == {"planted": True}  # ours: loaded
    monkeypatch.setattr(cache.os, "getuid", lambda: entry.stat().st_uid + 1)
    assert cache.cached("units", counting_build()[0], [source])["build"] == 1
    assert pickle.loads(entry.read_bytes()) == {"planted": True}
