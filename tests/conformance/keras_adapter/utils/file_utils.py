"""keras.src.utils.file_utils as test plumbing: local-file checks the tests make."""
from __future__ import annotations

import os
import shutil
from typing import Any

exists = os.path.exists
join = os.path.join
isdir = os.path.isdir
listdir = os.listdir
makedirs = os.makedirs
remove = os.remove


def rmtree(path: str) -> None:
    """Removes a directory tree."""
    shutil.rmtree(path)


def File(path: str, mode: str = "r") -> Any:  # noqa: N802 - keras's name
    """Opens a local file."""
    return open(path, mode)  # noqa: SIM115 - returned to the caller's ``with``
