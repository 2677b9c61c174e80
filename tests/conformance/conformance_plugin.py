"""pytest plugin for the conformance run: exclusions, a per-test time limit, results.

Loaded with ``-p conformance_plugin``; configured by environment variables set by
`harness`: ``CONFORMANCE_TABLE`` (not_applicable.txt), ``CONFORMANCE_RESULTS`` (the JSON
file to write) and ``CONFORMANCE_TIMEOUT`` (seconds per test, default 120).
"""
from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

import exclusions
import pytest

_RESULTS: dict[str, dict] = {}
_COLLECT_ERRORS: dict[str, str] = {}
_RULES: list[exclusions.Rule] = []


def pytest_configure(config: pytest.Config) -> None:
    """Loads the exclusion table; registers keras's markers."""
    _RULES.extend(exclusions.load(Path(os.environ["CONFORMANCE_TABLE"])))
    config.addinivalue_line("markers", "requires_trainable_backend: keras marker")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skips excluded tests, with ``<kind>: <reason>`` as the skip reason."""
    for item in items:
        rule = exclusions.match(_RULES, item.nodeid)
        if rule is not None:
            item.add_marker(pytest.mark.skip(reason=f"{rule.kind}: {rule.reason}"))


class TestTimeout(Exception):  # noqa: N818 - reads as the failure cause
    """The test ran longer than CONFORMANCE_TIMEOUT seconds."""


def _alarm(signum: int, frame: Any) -> None:
    raise TestTimeout(f"test exceeded {os.environ.get('CONFORMANCE_TIMEOUT', '120')} s")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    """Interrupts a test that runs too long (SIGALRM in the main thread)."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(int(os.environ.get("CONFORMANCE_TIMEOUT", "120")))
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _message(report: Any) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        return crash.message
    if isinstance(report.longrepr, tuple):  # skips: (path, line, reason)
        return str(report.longrepr[2])
    return str(report.longrepr)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Records one outcome per test: the first failure wins over a later pass."""
    entry = _RESULTS.setdefault(report.nodeid, {"outcome": "passed", "message": ""})
    if report.skipped and report.when in ("setup", "call"):
        entry.update(outcome="skipped", message=_message(report).removeprefix("Skipped: "))
    elif report.failed and entry["outcome"] != "failed":
        entry.update(outcome="failed", message=_message(report), when=report.when,
                     detail=str(report.longrepr)[-4000:])


def pytest_collectreport(report: pytest.CollectReport) -> None:
    """Records files that failed to import."""
    if report.failed:
        _COLLECT_ERRORS[report.nodeid] = str(report.longrepr)[-2000:]


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Writes the results JSON."""
    Path(os.environ["CONFORMANCE_RESULTS"]).write_text(json.dumps(
        {"tests": _RESULTS, "collect_errors": _COLLECT_ERRORS},
        indent=1, sort_keys=True))
