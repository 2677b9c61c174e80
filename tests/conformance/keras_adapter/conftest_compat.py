"""What keras's tests import from keras's (unshipped) top-level conftest.py."""
from __future__ import annotations

import pytest


def skip_if_backend(given_backend: str, reason: str) -> pytest.MarkDecorator:
    """Skips on ``given_backend``; the adapter's backend is always ``"tensorflow"``."""
    return pytest.mark.skipif(given_backend == "tensorflow", reason=reason)
