"""keras.src.utils: forwarded to ``minikeras.utils`` (names it lacks are `Missing`).

``file_utils`` and ``io_utils`` are test plumbing here (file checks, quieting logs).
"""
from __future__ import annotations

from typing import Any

import minikeras.utils
from keras_adapter._forward import lookup


def __getattr__(name: str) -> Any:
    return lookup(__name__, name, [minikeras.utils])
