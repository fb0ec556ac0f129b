"""Issue 15, item 15: nothing in the cache folder is trusted (no code runs from it)."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import jinja2
import pytest

from generator.runtime import cache
from generator.site import bundle


class Boom:
    """Unpickling this runs code: it writes a file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, (f"touch {self.marker}",))


@pytest.fixture
def cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SEGMENTS_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("SEGMENTS_CACHE_KEY", str(tmp_path / "secret" / "key"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "machine"))
    return tmp_path / "cache"


def test_a_planted_pickle_is_never_loaded(cache_folder: Path, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    cache_folder.mkdir()
    (cache_folder / "analysis-abc.pickle").write_bytes(pickle.dumps(Boom(marker)))
    assert cache.load("analysis", "abc") is None
    assert not marker.exists()


def test_an_entry_signed_for_another_name_or_edited_is_a_miss(cache_folder: Path) -> None:
    cache.save("analysis", "abc", {"n": 1}, rows=10)
    assert cache.load("analysis", "abc") == {"n": 1}
    path = cache_folder / "analysis-abc.pickle"
    (cache_folder / "analysis-def.pickle").write_bytes(path.read_bytes())
    assert cache.load("analysis", "def") is None
    blob = bytearray(path.read_bytes())
    blob[-1] ^= 1
    path.write_bytes(bytes(blob))
    assert cache.load("analysis", "abc") is None


def test_a_cache_restored_on_another_machine_is_recomputed(
    cache_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache.save("release", "k", [1, 2], rows=10)
    monkeypatch.setenv("SEGMENTS_CACHE_KEY", str(tmp_path / "other-machine" / "key"))
    assert cache.load("release", "k") is None


def test_the_key_lives_outside_the_cache_and_is_private(cache_folder: Path) -> None:
    cache.save("release", "k", [1], rows=10)
    key = cache.key_path()
    assert not key.resolve().is_relative_to(cache_folder.resolve())
    assert key.stat().st_mode & 0o777 == 0o600


def test_planted_jinja_bytecode_is_ignored(cache_folder: Path, tmp_path: Path) -> None:
    where = tmp_path / "templates"
    where.mkdir()
    (where / "page.txt").write_text("hello {{ name }}")
    bytecode = cache.templates("test")
    assert bytecode is not None
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(where), bytecode_cache=bytecode)
    assert env.get_template("page.txt").render(name="a") == "hello a"
    files = list((cache_folder / "jinja-test").iterdir())
    assert len(files) == 1 and files[0].read_bytes().startswith(cache.MAGIC)
    # Plant Jinja's own (unsigned) format, compiled from another template, under the same name.
    other = jinja2.Environment(loader=jinja2.DictLoader({"page.txt": "planted {{ name }}"}))
    planted = jinja2.bccache.Bucket(other, files[0].name, "x")
    planted.code = other.compile("planted {{ name }}", "page.txt", "page.txt")
    files[0].write_bytes(planted.bytecode_to_string())
    fresh = jinja2.Environment(
        loader=jinja2.FileSystemLoader(where), bytecode_cache=cache.templates("test")
    )
    assert fresh.get_template("page.txt").render(name="a") == "hello a"


def test_a_modified_vega_bundle_is_made_afresh(cache_folder: Path) -> None:
    made = bundle.vega_bundle()
    cached = next(cache.shared_folder().glob("vega-bundle-*.js"))
    assert cached.parent == cache_folder.parent / "machine" / "segments"
    assert bundle.vega_bundle() == made
    cached.write_bytes(cached.read_bytes().replace(b"vegaEmbed", b"evilEmbed"))
    assert bundle.vega_bundle() == made
    assert b"window.vegaEmbed=" in made and b"evilEmbed" not in made
