"""``make conformance``: run keras's own unit tests against minikeras; check the baseline.

    python tests/conformance/harness.py            # run, write docs/conformance.md, check
    python tests/conformance/harness.py --update   # ... and rewrite baseline.txt
    python tests/conformance/harness.py --only 'losses/*'   # a subset, no page, no check

Exit status 1 when a test listed in baseline.txt did not pass.
"""
from __future__ import annotations

import argparse
import fnmatch
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))

import exclusions  # noqa: E402
import fetch  # noqa: E402
import report  # noqa: E402

WORK = ROOT / ".venv" / "conformance"
TABLE = HERE / "not_applicable.txt"
BASELINE = HERE / "baseline.txt"
PAGE = ROOT / "docs" / "conformance.md"
PYTEST_INI = "[pytest]\npython_files = *_test.py\npython_classes = *Test *Test? Test*\n"


def prepare(only: str | None) -> tuple[str, list[report.Outcome], Path, dict[str, str]]:
    """Fetches and rewrites the tests; drops whole excluded files (counted statically)."""
    version = fetch.keras_version(ROOT / "constraints.txt")
    sdist = fetch.download(version, WORK / "dist")
    run_dir = WORK / "run"
    if run_dir.exists():
        subprocess.run(["rm", "-rf", str(run_dir)], check=True)
    sources = fetch.extract(sdist, run_dir)
    rules = exclusions.load(TABLE)
    static = []
    for relative, source in sorted(sources.items()):
        whole = next((r for r in rules if r.whole_file == relative), None)
        if whole is not None or (only and not fnmatch.fnmatch(relative, only)):
            (run_dir / relative).unlink()
            if whole is not None:
                static.append(report.Outcome(f"{relative}::*", whole.kind, whole.reason,
                                             count=fetch.count_tests(source)))
    (run_dir / "pytest.ini").write_text(PYTEST_INI)
    return version, static, run_dir, sources


def import_failures(errors: dict[str, str], sources: dict[str, str]) -> list[report.Outcome]:
    """A file that failed to import: each of its (unexpanded) tests counts as failed with
    the import error, unless the exclusion table lists it."""
    rules = exclusions.load(TABLE)
    outcomes = []
    for path, text in errors.items():
        message = text.strip().splitlines()[-1].removeprefix("E").strip()
        for test in fetch.test_ids(sources[path]) or ["<import>"]:
            test_id = f"{path}::{test}"
            rule = exclusions.match(rules, test_id)
            outcomes.append(report.Outcome(test_id, rule.kind, rule.reason) if rule else
                            report.Outcome(test_id, "failed", f"(import) {message}"))
    return outcomes


def run_pytest(run_dir: Path, timeout: int) -> dict:
    """Runs pytest on ``run_dir`` with the plugin; returns its results JSON."""
    results = WORK / "results.json"
    path = os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])
    env = dict(os.environ, PYTHONPATH=path,
               CONFORMANCE_TABLE=str(TABLE), CONFORMANCE_RESULTS=str(results),
               CONFORMANCE_TIMEOUT=str(timeout), TF_CPP_MIN_LOG_LEVEL="2",
               KERAS_BACKEND="tensorflow", CUDA_VISIBLE_DEVICES="-1")
    subprocess.run([sys.executable, "-m", "pytest", "-c", str(run_dir / "pytest.ini"),
                    "--rootdir", str(run_dir), "-p", "conformance_plugin", "-p", "no:cacheprovider",
                    "--import-mode=importlib", "--continue-on-collection-errors", "-q",
                    "--tb=no", "--no-header", "-o", "console_output_style=classic",
                    str(run_dir)], env=env, cwd=run_dir, check=False)
    return json.loads(results.read_text())


def stale_rules(outcomes: list[report.Outcome]) -> list[str]:
    """Exclusion lines that matched no test of this run (``line: pattern``)."""
    excluded = [o.test_id for o in outcomes if o.status in ("internal", "unclaimed")]
    return [f"{r.line}: {r.pattern}" for r in exclusions.load(TABLE)
            if not any(fnmatch.fnmatchcase(t, r.pattern) for t in excluded)]


def check_baseline(outcomes: list[report.Outcome], update: bool) -> int:
    """Compares with baseline.txt (or rewrites it); returns the exit status."""
    passed = sorted(o.test_id for o in outcomes if o.status == "passed")
    if update:
        BASELINE.write_text("".join(f"{t}\n" for t in passed))
        print(f"baseline: wrote {len(passed)} passing test ids to {BASELINE.relative_to(ROOT)}")
        return 0
    baseline = [t.strip() for t in BASELINE.read_text().splitlines() if t.strip()] \
        if BASELINE.exists() else []
    by_id = {o.test_id: o for o in outcomes}
    lost = [t for t in baseline if t not in by_id or by_id[t].status != "passed"]
    new = sorted(set(passed) - set(baseline))
    for test_id in lost:
        o = by_id.get(test_id)
        print(f"REGRESSION {test_id}: {o.status + ': ' + o.message if o else 'not run'}")
        if o is not None and o.detail:
            print("    " + o.detail[-1500:].replace("\n", "\n    "))
    print(f"baseline: {len(baseline)} ids, {len(lost)} no longer pass, {len(new)} newly pass"
          + (" (record them with `make conformance UPDATE=1`)" if new else ""))
    return 1 if lost else 0


def main() -> int:
    """Entry point; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="rewrite baseline.txt")
    parser.add_argument("--only", help="glob of test files (under keras/src) to run")
    parser.add_argument("--timeout", type=int, default=120, help="seconds per test")
    args = parser.parse_args()
    start = time.monotonic()
    version, outcomes, run_dir, sources = prepare(args.only)
    results = run_pytest(run_dir, args.timeout)
    outcomes += [report.classify(t, r) for t, r in sorted(results["tests"].items())]
    outcomes += import_failures(results["collect_errors"], sources)
    page = report.render(outcomes, version, results["collect_errors"], stale_rules(outcomes),
                         time.monotonic() - start)
    if args.only:
        (WORK / "conformance-subset.md").write_text(page)
        print(f"subset report: {WORK / 'conformance-subset.md'}")
        return 0
    PAGE.write_text(page)
    print(f"wrote {PAGE.relative_to(ROOT)}")
    return check_baseline(outcomes, args.update)


if __name__ == "__main__":
    sys.exit(main())
