"""minikeras.utils.get_file against keras.utils.get_file, offline: origins are file:// URLs.

Hashes (sha256, md5, keras's "auto" rule by length), the cache's re-download of a stale file,
the refusal of a download that does not match, keras's extraction folder names, and the
refusal of tar archives whose members would leave the extraction folder.
"""
import hashlib
import io
import os
import tarfile

import keras
import pytest
from keras.src.utils import file_utils as keras_file_utils

from minikeras.utils import file_utils, get_file


def source(tmp_path, name="data.bin", content=b"some bytes"):
    path = tmp_path / "origin" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(content)
    return path


def both(tmp_path, *args, **kwargs):
    """get_file's path relative to its cache root, for minikeras and keras (whose cache
    must exist: keras falls back to /tmp/.keras for a cache_dir it cannot write to)."""
    for cache in ("ours", "theirs"):
        (tmp_path / cache).mkdir(exist_ok=True)
    ours = get_file(*args, cache_dir=str(tmp_path / "ours"), **kwargs)
    theirs = keras.utils.get_file(*args, cache_dir=str(tmp_path / "theirs"), **kwargs)
    return (os.path.relpath(ours, tmp_path / "ours"),
            os.path.relpath(theirs, tmp_path / "theirs")), ours


def tree(folder):
    return sorted((os.path.relpath(os.path.join(root, name), folder),
                   open(os.path.join(root, name), "rb").read())
                  for root, _, names in os.walk(folder) for name in names)


@pytest.mark.parametrize("algorithm", ["sha256", "md5", "auto"])
def test_hashes_match_keras(tmp_path, algorithm):
    path = str(source(tmp_path))
    assert file_utils.hash_file(path, algorithm) == keras_file_utils.hash_file(path, algorithm)
    for expected in (hashlib.sha256(b"some bytes").hexdigest(),
                     hashlib.md5(b"some bytes").hexdigest(), "0" * 64, "0" * 32):
        assert file_utils.validate_file(path, expected, algorithm) == \
            keras_file_utils.validate_file(path, expected, algorithm)


@pytest.mark.parametrize("kwargs", [
    {"file_hash": hashlib.sha256(b"some bytes").hexdigest()},
    {"file_hash": hashlib.md5(b"some bytes").hexdigest()},
    {"file_hash": hashlib.md5(b"some bytes").hexdigest(), "hash_algorithm": "md5"},
    {"md5_hash": hashlib.md5(b"some bytes").hexdigest()}, {}])
def test_a_matching_download_is_kept_where_keras_keeps_it(tmp_path, kwargs):
    origin = source(tmp_path).as_uri()
    (ours, theirs), path = both(tmp_path, "data.bin", origin=origin, **kwargs)
    assert ours == theirs == os.path.join("datasets", "data.bin")
    assert open(path, "rb").read() == b"some bytes"


def test_a_stale_cached_file_is_downloaded_again(tmp_path):
    origin = source(tmp_path, content=b"new").as_uri()
    for cache in ("ours", "theirs"):
        (tmp_path / cache / "datasets").mkdir(parents=True)
        (tmp_path / cache / "datasets" / "data.bin").write_bytes(b"old")
    (ours, _), path = both(tmp_path, "data.bin", origin=origin,
                           file_hash=hashlib.sha256(b"new").hexdigest())
    assert open(path, "rb").read() == b"new"
    assert (tmp_path / "theirs" / "datasets" / "data.bin").read_bytes() == b"new"
    # without a hash, or with the cached file's, the cache is used as it is
    assert open(get_file("data.bin", origin=source(tmp_path, content=b"newer").as_uri(),
                         cache_dir=str(tmp_path / "ours")), "rb").read() == b"new"


def test_a_download_with_the_wrong_hash_is_refused_and_removed(tmp_path):
    origin = source(tmp_path).as_uri()
    with pytest.raises(ValueError, match="does not match.*removed"):
        get_file("data.bin", origin=origin, file_hash="0" * 64, cache_dir=str(tmp_path / "c"))
    assert os.listdir(tmp_path / "c" / "datasets") == []
    (tmp_path / "k").mkdir()
    with pytest.raises(ValueError, match="does not match"):  # keras refuses too (keeps it)
        keras.utils.get_file("data.bin", origin=origin, file_hash="0" * 64,
                             cache_dir=str(tmp_path / "k"))


def test_offline_names_the_url_and_the_place_for_the_file(tmp_path):
    origin = (tmp_path / "absent.bin").as_uri()
    with pytest.raises(OSError, match="put a copy of the file at") as error:
        get_file("absent.bin", origin=origin, cache_dir=str(tmp_path))
    assert origin in str(error.value)
    assert str(tmp_path / "datasets" / "absent.bin") in str(error.value)


def test_the_cache_root_is_keras_home(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "home"))
    path = get_file("data.bin", origin=source(tmp_path).as_uri())
    assert path == str(tmp_path / "home" / "datasets" / "data.bin")


def test_argument_errors_match_keras(tmp_path):
    for call in (get_file, keras.utils.get_file):
        with pytest.raises(ValueError, match="Paths are no longer accepted"):
            call(os.path.join("a", "b"), origin="file:///x", cache_dir=str(tmp_path))
    with pytest.raises(ValueError, match="origin"):
        get_file("x")
    with pytest.raises(ValueError, match="hash_algorithm"):
        get_file("x", origin="file:///x", hash_algorithm="sha1")


def make_tar(path, members, mode="w:gz"):
    """``members``: (TarInfo, bytes or None)."""
    with tarfile.open(path, mode) as archive:
        for info, payload in members:
            if payload is not None:
                info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload) if payload is not None else None)
    return path


def regular(name, payload=b"x"):
    return tarfile.TarInfo(name), payload


@pytest.mark.parametrize("fname", ["folder", "data.tar.gz", None])
def test_extraction_folders_are_named_as_keras_names_them(tmp_path, fname):
    folder = tarfile.TarInfo("inner")
    folder.type = tarfile.DIRTYPE
    archive = make_tar(tmp_path / "data.tar.gz", [
        (folder, None), regular("inner/a.txt", b"a"), regular("b.txt", b"b")])
    kwargs = {"untar": True} if fname is None else {"extract": True}
    (ours, theirs), path = both(tmp_path, fname, origin=archive.as_uri(), **kwargs)
    assert ours == theirs
    assert tree(path) == tree(tmp_path / "theirs" / theirs) == [
        ("b.txt", b"b"), (os.path.join("inner", "a.txt"), b"a")]
    assert sorted(os.listdir(tmp_path / "ours" / "datasets")) == sorted(
        os.listdir(tmp_path / "theirs" / "datasets"))


def test_extraction_replaces_the_previous_folder(tmp_path):
    archive = make_tar(tmp_path / "data.tar", [regular("a.txt", b"a")], mode="w")
    path = get_file("folder", origin=archive.as_uri(), extract=True, cache_dir=str(tmp_path))
    with open(os.path.join(path, "stale.txt"), "w") as out:
        out.write("left over")
    assert get_file("folder", origin=archive.as_uri(), extract=True,
                    cache_dir=str(tmp_path)) == path
    assert tree(path) == [("a.txt", b"a")]


def device():
    info = tarfile.TarInfo("dev")
    info.type = tarfile.CHRTYPE
    return info, None


def link(name, target, kind):
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info, None


@pytest.mark.parametrize("member, reason", [
    (regular("../escaped.txt"), "outside"), (regular("inner/../../escaped.txt"), "outside"),
    (regular("/tmp/escaped-by-minikeras-test.txt"), "outside"),
    (link("inner/link", "../../escaped.txt", tarfile.SYMTYPE), "a link"),
    (link("inner/link", "/etc/passwd", tarfile.SYMTYPE), "a link"),
    (link("inner/hard", "a.txt", tarfile.LNKTYPE), "a link"),
    (device(), "a device")])
def test_unsafe_archives_are_refused_whole(tmp_path, member, reason):
    archive = make_tar(tmp_path / "evil.tar.gz", [regular("a.txt"), member])
    cache = tmp_path / "cache" / "deep"
    with pytest.raises(ValueError, match=f"Refusing to extract.*{reason}"):
        get_file("folder", origin=archive.as_uri(), extract=True, cache_dir=str(cache))
    assert sorted(os.listdir(cache / "datasets")) == ["folder_archive"]  # nothing extracted
    assert not (tmp_path / "cache" / "escaped.txt").exists()
    assert not os.path.exists("/tmp/escaped-by-minikeras-test.txt")


def test_only_tar_archives_are_extracted(tmp_path):
    import zipfile
    with zipfile.ZipFile(tmp_path / "data.zip", "w") as archive:
        archive.writestr("a.txt", "a")
    with pytest.raises(ValueError, match="tar archives only"):
        get_file("folder", origin=(tmp_path / "data.zip").as_uri(), extract=True,
                 cache_dir=str(tmp_path))
