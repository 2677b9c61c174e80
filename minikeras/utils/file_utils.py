"""`get_file`: a file from the local cache, downloaded once when the network allows it,
checked against its hash, and (for tar archives) extracted safely.

Differences from keras 3.15.1's `get_file`, all on the side of safety:

- a download goes to a temporary file first; a download whose hash does not match is removed
  and refused (keras keeps it and raises); a failed download leaves an existing cached file
  in place (keras removes it);
- extraction handles tar archives (``.tar``, ``.tar.gz``, ``.tar.bz2``, ``.tar.xz``) only, and
  refuses the whole archive if any member has an absolute path, a ``..`` component, or is a
  link or a device (keras skips such members with a warning). The archive is extracted into a
  fresh folder that then replaces the previous extraction, so the folder holds exactly the
  archive's files;
- a ``cache_dir`` that does not exist yet is created when its nearest existing parent is
  writable (keras then falls back to ``/tmp/.keras``).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request

_CHUNK = 1 << 16


def get_file(fname: str | None = None, origin: str | None = None, untar: bool = False,
             md5_hash: str | None = None, file_hash: str | None = None,
             cache_subdir: str = "datasets", hash_algorithm: str = "auto",
             extract: bool = False, archive_format: str = "auto",
             cache_dir: str | None = None, force_download: bool = False) -> str:
    """The path of ``fname`` in the keras cache, downloaded from ``origin`` if needed.

    The cache is ``cache_dir/cache_subdir``; ``cache_dir`` defaults to ``$KERAS_HOME`` or
    ``~/.keras`` (``/tmp/.keras`` when that is not writable), as in keras, so files keras
    downloaded are reused. A cached file whose hash does not match ``file_hash`` is downloaded
    again; a download that does not match is removed and refused with a `ValueError`. Without
    network access the download fails with an `OSError` that names the URL and the path where
    a copy of the file would be found.

    Args:
        fname: the file's name in the cache (no folders). Defaults to `None`: the last part
            of ``origin``'s path. With ``extract``, a name without a dot names the extraction
            folder (the archive is kept as ``{fname}_archive``); a name with a dot is the
            archive's, extracted into ``{stem}_extracted``.
        origin: the URL to download from (required).
        untar: deprecated keras spelling of ``extract=True`` for tar archives. Defaults to
            `False`.
        md5_hash: deprecated keras spelling of ``file_hash`` with ``hash_algorithm="md5"``.
            Defaults to `None`.
        file_hash: the expected sha256 or md5 hex digest of the file. Defaults to `None`
            (no check).
        cache_subdir: the folder under ``cache_dir`` (an absolute path is used as is).
            Defaults to ``"datasets"``.
        hash_algorithm: ``"sha256"``, ``"md5"`` or ``"auto"`` (sha256 for a 64-character
            hash, md5 otherwise). Defaults to ``"auto"``.
        extract: extract the (tar) archive and return the extraction folder. Defaults to
            `False`.
        archive_format: ``"auto"`` or ``"tar"``; `None` extracts nothing. Defaults to
            ``"auto"``.
        cache_dir: the cache's root. Defaults to `None` (see above).
        force_download: download even when the file is cached. Defaults to `False`.

    Returns:
        The path of the file, or of the extraction folder with ``extract``.

    Example:
        >>> import hashlib, pathlib, tempfile
        >>> folder = pathlib.Path(tempfile.mkdtemp())   # a fresh cache: the file is fetched
        >>> source = folder / "numbers.txt"
        >>> _ = source.write_text("1 2 3")
        >>> digest = hashlib.sha256(source.read_bytes()).hexdigest()
        >>> from minikeras.utils import get_file
        >>> path = get_file("numbers.txt", origin=source.as_uri(), file_hash=digest,
        ...                 cache_dir=str(folder / "cache"))  # doctest: +ELLIPSIS
        Downloading data from file://...numbers.txt
        >>> open(path).read()
        '1 2 3'
    """
    if origin is None:
        raise ValueError("Expected `origin`, the URL to download from. Received: origin=None")
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    if hash_algorithm not in ("auto", "sha256", "md5"):
        raise ValueError("Expected `hash_algorithm` to be 'auto', 'sha256' or 'md5'. "
                         f"Received: hash_algorithm={hash_algorithm!r}")
    named = fname is not None and str(fname) != ""
    fname = os.fspath(fname) if named else os.path.basename(urllib.parse.urlsplit(origin).path)
    if not fname:
        raise ValueError(f"Can't parse the file name from the origin provided: '{origin}'. "
                         "Please specify the `fname` argument.")
    if os.sep in fname:
        raise ValueError("Paths are no longer accepted as the `fname` argument. To specify "
                         f"the file's parent directory, use the `cache_dir` argument. "
                         f"Received: fname={fname}")
    folder = os.path.join(_cache_root(cache_dir), cache_subdir)
    os.makedirs(folder, exist_ok=True)
    extraction_dir = None
    if extract or untar:
        if named and "." in fname:
            target = os.path.join(folder, fname)
            extraction_dir = os.path.join(folder, f"{fname[:fname.find('.')]}_extracted")
        else:
            target = os.path.join(folder, f"{fname}_archive")
            extraction_dir = os.path.join(folder, fname)
    else:
        target = os.path.join(folder, fname)

    download, stale = force_download or not os.path.exists(target), False
    if not download and file_hash is not None and not validate_file(
            target, file_hash, algorithm=hash_algorithm):
        print(f"A local file was found, but it seems to be incomplete or outdated because "
              f"the {hash_algorithm} file hash does not match the original value of "
              f"{file_hash} so we will re-download the data.")
        download = stale = True
    if download:
        _download(origin, target, file_hash, hash_algorithm, stale)
    if extraction_dir is None:
        return target
    if untar:
        archive_format = "tar"
    if archive_format is None or archive_format == []:
        return extraction_dir
    if archive_format not in ("auto", "tar", ["tar"]) or not tarfile.is_tarfile(target):
        raise ValueError(f"minikeras.utils.get_file extracts tar archives only; {target!r} "
                         f"is not one (archive_format={archive_format!r}).")
    extract_tar(target, extraction_dir)
    return extraction_dir


def _cache_root(cache_dir: str | None) -> str:
    if cache_dir is None:
        cache_dir = os.environ.get("KERAS_HOME") or os.path.join(
            os.path.expanduser("~"), ".keras")
    root = os.path.abspath(os.path.expanduser(cache_dir))
    probe = root
    while not os.path.exists(probe) and os.path.dirname(probe) != probe:
        probe = os.path.dirname(probe)  # the nearest existing folder decides writability
    if not os.access(probe, os.W_OK):
        root = os.path.join("/tmp" if os.path.isdir("/tmp") else tempfile.gettempdir(),
                            ".keras")
    return root


def _download(origin: str, target: str, file_hash: str | None, algorithm: str,
              stale: bool = False) -> None:
    """Download into a temporary file beside ``target``; move it there only once complete
    and, when a hash is given, matching. ``stale``: the file there has the wrong hash."""
    print(f"Downloading data from {origin}")
    handle, partial = tempfile.mkstemp(dir=os.path.dirname(target),
                                       prefix=f".{os.path.basename(target)}.", suffix=".part")
    try:
        try:
            with os.fdopen(handle, "wb") as out, \
                    urllib.request.urlopen(origin, timeout=30) as src:
                shutil.copyfileobj(src, out, _CHUNK)
        except (urllib.error.URLError, OSError, ValueError) as err:
            found = (f"The file at {target!r} does not match the expected hash {file_hash}. "
                     if stale else "")
            raise OSError(f"{found}Could not download {origin!r} ({err}). Without network "
                          f"access, put a copy of the file at {target!r} and call again."
                          ) from None
        if file_hash is not None and not validate_file(partial, file_hash, algorithm):
            raise ValueError(
                f"Incomplete or corrupted file detected: the {algorithm} file hash of the "
                f"download from {origin!r} does not match the provided value of {file_hash}. "
                "The download was removed.")
        os.replace(partial, target)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)


def resolve_hasher(algorithm: str, file_hash: str | None = None):
    """The hashlib object for ``algorithm``: ``"auto"`` is sha256 for a 64-character
    ``file_hash`` and md5 otherwise, as in keras."""
    if algorithm == "sha256" or (algorithm == "auto" and file_hash is not None
                                 and len(file_hash) == 64):
        return hashlib.sha256()
    return hashlib.md5()


def hash_file(fpath: str, algorithm: str = "sha256", chunk_size: int = _CHUNK) -> str:
    """The hex digest of the file at ``fpath`` (``"sha256"``, ``"md5"`` or ``"auto"``:
    sha256)."""
    hasher = resolve_hasher(algorithm) if isinstance(algorithm, str) else algorithm
    with open(fpath, "rb") as source:
        for chunk in iter(lambda: source.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def validate_file(fpath: str, file_hash: str, algorithm: str = "auto",
                  chunk_size: int = _CHUNK) -> bool:
    """Whether the file at ``fpath`` has the hash ``file_hash`` (see `resolve_hasher`)."""
    hasher = resolve_hasher(algorithm, file_hash)
    return hash_file(fpath, hasher, chunk_size) == str(file_hash).lower()


def _checked_members(archive: tarfile.TarFile) -> list[tarfile.TarInfo]:
    """All members, if every one is a plain file or folder inside the extraction folder."""
    members = archive.getmembers()
    for member in members:
        name = member.name.replace("\\", "/")
        if not (member.isfile() or member.isdir()):
            kind = ("a link" if member.issym() or member.islnk() else
                    "a device" if member.isdev() else "not a regular file")
            raise ValueError(f"Refusing to extract the archive {archive.name!r}: its member "
                             f"{member.name!r} is {kind}.")
        if name.startswith("/") or os.path.isabs(member.name) or ".." in name.split("/") \
                or (len(name) > 1 and name[1] == ":"):
            raise ValueError(f"Refusing to extract the archive {archive.name!r}: its member "
                             f"{member.name!r} would be written outside the extraction "
                             "folder.")
    return members


def extract_tar(archive_path: str, destination: str) -> None:
    """Extract the tar archive at ``archive_path`` into ``destination``, which it replaces.

    Refuses (`ValueError`, nothing written) an archive with a member that has an absolute
    path, a ``..`` component, or that is a link, device or fifo.
    """
    parent = os.path.dirname(os.path.abspath(destination))
    staging = tempfile.mkdtemp(dir=parent, prefix=f".{os.path.basename(destination)}.")
    try:
        with tarfile.open(archive_path) as archive:
            members = _checked_members(archive)
            root = os.path.realpath(staging)
            for member in members:
                path = os.path.realpath(os.path.join(root, member.name))
                if os.path.commonpath([path, root]) != root:
                    raise ValueError(f"Refusing to extract the archive {archive_path!r}: its "
                                     f"member {member.name!r} would be written outside the "
                                     "extraction folder.")
            kwargs = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            archive.extractall(staging, members=members, **kwargs)
        if os.path.isdir(destination) and not os.path.islink(destination):
            shutil.rmtree(destination)
        elif os.path.lexists(destination):
            os.unlink(destination)
        os.replace(staging, destination)
    finally:
        if os.path.isdir(staging):
            shutil.rmtree(staging)
