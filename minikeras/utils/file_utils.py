"""`get_file`: a file from the local cache, downloaded once when the network allows it."""
from __future__ import annotations

import os
import shutil
import tempfile
import urllib.error
import urllib.request


def get_file(fname: str | None = None, origin: str | None = None, untar: bool = False,
             md5_hash: str | None = None, file_hash: str | None = None,
             cache_subdir: str = "datasets", hash_algorithm: str = "auto",
             extract: bool = False, archive_format: str = "auto",
             cache_dir: str | None = None, force_download: bool = False) -> str:
    """The path of ``fname`` in ``cache_dir/cache_subdir`` (default ``~/.keras/datasets``,
    as keras), downloading it from ``origin`` first when it is not there.

    Without network access the download fails with an `OSError` that names the URL and the
    path where a copy of the file would be found. Extraction and hash checks are not
    implemented: asking for them is a ValueError.
    """
    if origin is None:
        raise ValueError("Expected `origin`, the URL to download from. Received: origin=None")
    if untar or extract or md5_hash or file_hash:
        raise ValueError("minikeras.utils.get_file does not extract archives or check hashes; "
                         "download the file and open it yourself.")
    fname = fname or os.path.basename(origin.split("?")[0])
    folder = os.path.join(cache_dir or os.path.join(os.path.expanduser("~"), ".keras"),
                          cache_subdir)
    path = os.path.join(folder, fname)
    if os.path.exists(path) and not force_download:
        return path
    os.makedirs(folder, exist_ok=True)
    handle, partial = tempfile.mkstemp(dir=folder, prefix=f".{fname}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out, urllib.request.urlopen(origin, timeout=30) as src:
            shutil.copyfileobj(src, out)
        os.replace(partial, path)
    except (urllib.error.URLError, OSError, ValueError) as err:
        if os.path.exists(partial):
            os.unlink(partial)
        raise OSError(f"Could not download {origin!r} ({err}). Without network access, put a "
                      f"copy of the file at {path!r} and call get_file again.") from None
    return path
