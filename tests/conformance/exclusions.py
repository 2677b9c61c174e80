"""The committed table of keras tests that are not applicable to minikeras, with reasons.

``not_applicable.txt`` has two sections. ``[internal]``: tests of keras internals a user
of a keras-compatible API would not expect to hold (backend dispatch, dtype policies,
float16/bfloat16, symbolic KerasTensors, sparse tensors, quantization, JAX/torch paths...).
``[unclaimed]``: tests of keras names minikeras does not claim to have (e.g. the Nadam
optimizer); each becomes applicable when minikeras adds the name. Each line is
``<pattern> -- <reason>``; the pattern is an `fnmatch` glob over test ids
``<path under keras/src>::<Class>::<test>``. A failing test is never listed for failing.
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path

KINDS = ("internal", "unclaimed")


@dataclass
class Rule:
    """One line of the table."""

    kind: str
    pattern: str
    reason: str
    line: int
    hits: int = field(default=0)

    @property
    def whole_file(self) -> str | None:
        """The file this rule excludes entirely (pattern ``path::*``), if so."""
        path, sep, rest = self.pattern.partition("::")
        return path if sep and rest == "*" and "*" not in path else None


def load(path: Path) -> list[Rule]:
    """Parses the table; raises ValueError on a line without a reason or section."""
    rules, kind = [], None
    for number, raw in enumerate(path.read_text().splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            kind = line[1:-1]
            if kind not in KINDS:
                raise ValueError(f"{path}:{number}: unknown section {line}")
            continue
        pattern, sep, reason = line.partition(" -- ")
        if not sep or not reason.strip() or kind is None:
            raise ValueError(f"{path}:{number}: expected '<pattern> -- <reason>' in a section")
        rules.append(Rule(kind, pattern.strip(), reason.strip(), number))
    return rules


def match(rules: list[Rule], test_id: str) -> Rule | None:
    """The first rule matching ``test_id`` (counting the hit), or None."""
    for rule in rules:
        if fnmatch.fnmatchcase(test_id, rule.pattern):
            rule.hits += 1
            return rule
    return None
