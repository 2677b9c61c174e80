"""Tallies a conformance run and writes docs/conformance.md.

Every test id gets one status: ``passed``, ``failed``, ``internal`` (not applicable: a
keras internal, or skipped by keras itself on TensorFlow/CPU) or ``unclaimed`` (a keras
name minikeras does not claim). Applicable = passed + failed.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

STATUSES = ("passed", "failed", "internal", "unclaimed")


@dataclass
class Outcome:
    """One test's status and, for failures and exclusions, why."""

    test_id: str
    status: str
    message: str = ""
    count: int = 1  # >1 for a whole excluded file counted statically
    detail: str = field(default="", repr=False)


def module_of(path: str) -> str:
    """The claimed module a test file belongs to (the totals' row)."""
    if path.startswith("optimizers/schedules/"):
        return "schedules"
    if path.startswith("layers/"):  # one row per layer family: "layers/pooling"...
        return "/".join(path.split("/")[:2])
    if path == "models/sequential_test.py":
        return "Sequential"
    if path.startswith("models/"):
        return "models (functional, Model)"
    return path.split("/", 1)[0]


def classify(test_id: str, result: dict) -> Outcome:
    """An `Outcome` from the plugin's record of one test."""
    if result["outcome"] == "skipped":
        kind, sep, reason = result["message"].partition(": ")
        if sep and kind in ("internal", "unclaimed"):
            return Outcome(test_id, kind, reason)
        return Outcome(test_id, "internal", f"skipped by keras itself: {result['message']}")
    return Outcome(test_id, result["outcome"], result.get("message", ""),
                   detail=result.get("detail", ""))


_NORMALIZERS = [
    (re.compile(r"0x[0-9a-f]+"), "0x.."),
    (re.compile(r"(?<![\w.])-?\d+(\.\d+)?(e-?\d+)?"), "N"),
    (re.compile(r"\s+"), " "),
]


def cause(message: str) -> str:
    """A failure message reduced to a groupable cause (first line, numbers elided)."""
    line = message.strip().splitlines()[0] if message.strip() else "(no message)"
    line = line.replace("keras_adapter._forward.", "")
    missing = re.search(r"minikeras has no keras name `([^`]+)`", line)
    if missing:
        name = re.sub(r"^keras\.src\.", "keras.", missing.group(1))
        return f"missing name: {name}"
    for pattern, replacement in _NORMALIZERS:
        line = pattern.sub(replacement, line)
    if "Not equal to tolerance" in line:
        return "AssertionError: values not close (assertAllClose)"
    if "Arrays are not almost equal" in line:
        return "AssertionError: values not almost equal (assertAlmostEqual)"
    return line[:160]


_WORDING = "error message wording differs from keras's (assertRaisesRegex)"
_THEMES = [(re.compile(pattern), label) for pattern, label in [
    (r"^missing name: keras\.(\w+)", "missing names in keras.{0} (table below)"),
    (r"got an unexpected keyword argument '(\w+)'", "keyword argument `{0}=` not accepted"),
    (r"object has no attribute '(\w+)'", "attribute `.{0}` missing"),
    (r"does not match", _WORDING),
    (r"Regex pattern did not match", _WORDING),
    (r"Could not interpret (\w+) identifier", "`{0}s.get()` refuses an identifier keras accepts"),
    (r"does not support|not support", "an argument keras supports is refused by minikeras"),
    (r"values not (almost equal|close)", "numbers differ from keras's expected values"),
]]


def theme(cause_text: str) -> str:
    """A coarser group than `cause`: the kind of gap (a missing keyword, attribute...)."""
    for pattern, label in _THEMES:
        found = pattern.search(cause_text)
        if found:
            return label.format(*found.groups())
    return "other: " + cause_text[:100]


def _row(counts: Counter) -> str:
    applicable = counts["passed"] + counts["failed"]
    rate = f"{100 * counts['passed'] / applicable:.0f}%" if applicable else "n/a"
    return (f"{applicable} | {counts['passed']} | {counts['failed']} | {rate} | "
            f"{counts['internal']} | {counts['unclaimed']}")


def render(outcomes: list[Outcome], version: str, collect_errors: dict[str, str],
           unused_rules: list[str], seconds: float) -> str:
    """The markdown page."""
    per_file: dict[str, Counter] = defaultdict(Counter)
    for o in outcomes:
        per_file[o.test_id.split("::", 1)[0]][o.status] += o.count
    per_module: dict[str, Counter] = defaultdict(Counter)
    for path, counts in per_file.items():
        per_module[module_of(path)].update(counts)
    total = sum(per_module.values(), Counter())
    head = ("| {} | applicable | passed | failed | pass rate | n.a. (internal) | unclaimed |\n"
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    lines = [PREAMBLE.format(version=version, seconds=seconds), "## Totals per module", "",
             head.format("module")]
    lines += [f"| {m} | {_row(c)} |" for m, c in sorted(per_module.items())]
    lines += [f"| **all** | {_row(total)} |", "", "## Per test file", "", head.format("file")]
    lines += [f"| {p} | {_row(c)} |" for p, c in sorted(per_file.items())]
    failures = [o for o in outcomes if o.status == "failed"]
    lines += ["", "## Most common failure causes", "", FAILURE_NOTE, ""]
    lines += _causes(failures)
    if collect_errors:
        lines += ["", "## Files that failed to import", ""]
        lines += [f"- `{p}`: {cause(m.strip().splitlines()[-1].removeprefix('E').strip())}"
                  for p, m in sorted(collect_errors.items())]
    lines += ["", "## Not applicable, by reason", "", "| tests | kind | reason |",
              "| ---: | --- | --- |"]
    reasons = Counter()
    for o in outcomes:
        if o.status in ("internal", "unclaimed"):
            reasons[(o.status, o.message)] += o.count
    ranked = sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))
    lines += [f"| {n} | {k} | {r} |" for (k, r), n in ranked]
    if unused_rules:
        lines += ["", "Exclusion patterns that matched no test (stale; line: pattern): "
                  + ", ".join(f"`{u}`" for u in unused_rules)]
    return "\n".join(lines) + "\n"


def _causes(failures: list[Outcome]) -> list[str]:
    by_cause: dict[str, list[str]] = defaultdict(list)
    for o in failures:
        by_cause[cause(o.message)].append(o.test_id)
    missing = {c: ids for c, ids in by_cause.items() if c.startswith("missing name: ")}
    other = {c: ids for c, ids in by_cause.items() if c not in missing}
    themes: dict[str, list[str]] = defaultdict(list)
    for c, ids in by_cause.items():
        themes[theme(c)] += ids
    out = [f"{len(failures)} failing applicable tests.", "", "### By kind of gap", "",
           "| tests | kind | e.g. |", "| ---: | --- | --- |"]
    out += [f"| {len(ids)} | {t.replace('|', '/')} | `{sorted(ids)[0]}` |"
            for t, ids in sorted(themes.items(), key=lambda kv: (-len(kv[1]), kv[0]))]
    out += ["", "### Missing names (keras names minikeras lacks)", "", "| tests | name | e.g. |",
           "| ---: | --- | --- |"]
    for c, ids in sorted(missing.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        out.append(f"| {len(ids)} | `{c.removeprefix('missing name: ')}` | `{ids[0]}` |")
    out += ["", "### Other errors (first line of the error, numbers elided as N)", "",
            "| tests | error | e.g. |", "| ---: | --- | --- |"]
    for c, ids in sorted(other.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        out.append(f"| {len(ids)} | {c.replace('|', '/')} | `{ids[0]}` |")
    return out


PREAMBLE = """# Conformance: keras's own unit tests, run against minikeras

Generated by `make conformance` (tests/conformance/harness.py) from the unit tests shipped
in the keras {version} source distribution, for the modules minikeras claims. Do not edit by
hand. Last run: {seconds:.0f} s.

How it works: the sdist is downloaded once with pip into `.venv/conformance/dist`; its test
files for activations, initializers, losses, metrics, optimizers (and schedules),
regularizers, callbacks, the layer families minikeras has (core, activations, convolutional,
normalization, pooling, preprocessing, regularization, reshaping, merging) and Sequential
are copied to `.venv/conformance/run/` with `keras.src.X` / `import keras` rewritten to the adapter package
`tests/conformance/keras_adapter` (API modules forward to minikeras; names minikeras lacks
fail the tests that use them; backend/ops/testing plumbing is written on TensorFlow and
NumPy), and run with pytest (120 s limit per test).

- **applicable** = passed + failed. A test is applicable when a keras user would expect it
  to hold for a keras-compatible API with these names.
- **n.a. (internal)**: keras internals, listed with a reason in
  `tests/conformance/not_applicable.txt` section `[internal]` (plus tests keras itself skips
  on TensorFlow/CPU).
- **unclaimed**: tests of keras names minikeras does not claim (section `[unclaimed]`);
  remove the line when minikeras adds the name, and the tests count as applicable.
- **Baseline**: `tests/conformance/baseline.txt` lists the passing test ids; `make
  conformance` fails when one of them no longer passes. Other failures do not fail it (they
  are the to-do list below). After making more tests pass, record them with
  `make conformance UPDATE=1` and commit the baseline.
- Run a subset while working: `.venv/bin/python tests/conformance/harness.py --only 'losses/*'`
  (does not write this page or check the baseline).
"""

FAILURE_NOTE = ("Grouped by the first line of the error. A test counts once, under its first "
                "error.")
