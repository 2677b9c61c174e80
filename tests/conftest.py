"""Test set-up: quiet TensorFlow logs; keras (the reference) uses the TensorFlow backend.

Tests measured at more than about half a second on the 2-core machine are listed in
``tests/slow_tests.txt`` and marked ``slow`` here (as well as those marked in their file), so
``make test-fast`` (``-m "not slow"``) stays an edit loop of a couple of minutes while
``make test`` runs everything. Refresh the list from a timed run with
``python tests/list_slow_tests.py`` (see that script).
"""
import os
import pathlib

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

_SLOW_LIST = pathlib.Path(__file__).with_name("slow_tests.txt")


def _slow_ids() -> set[str]:
    if not _SLOW_LIST.exists():
        return set()
    lines = (line.split("#")[0].strip() for line in _SLOW_LIST.read_text().splitlines())
    return {line for line in lines if line}


def pytest_collection_modifyitems(config, items):
    slow = _slow_ids()
    for item in items:
        # a parametrized test is listed once, by its name without the parameters
        if item.nodeid in slow or item.nodeid.split("[")[0] in slow:
            item.add_marker(pytest.mark.slow)
