"""Every ``Example:`` block in a public docstring runs as written, and prints what it shows.

The public docstrings are those of the public modules, their ``__all__`` names and the
members of public classes (docs/hooks/public_api.py, shared with the documentation build).
Each block is a doctest: ``>>>`` lines run in a fresh namespace (so a block imports what it
uses, as a reader copying it would), and every expression's output must match the text under
it (``...`` elides, whitespace is normalized). Blocks run in a temporary working folder.
"""
import doctest
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "docs" / "hooks"))
import public_api  # noqa: E402

EXAMPLES = public_api.public_examples()
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
# Examples known not to run yet (none): each listed one is expected to fail, strictly (one that
# starts passing must leave the list).
NOT_YET: set[str] = set()


def test_examples_are_collected():
    names = {name.split("[")[0] for name, _ in EXAMPLES}
    assert len(EXAMPLES) >= 50
    assert {"minikeras.optimizers.SGD", "minikeras.layers.Dense", "minikeras.backend"} <= names


def test_every_public_name_has_a_docstring():
    # the same rule `make docs` enforces, checked here so `make test` says it first
    assert public_api.missing_docstrings() == []


def test_example_blocks_are_found_in_google_sections():
    doc = """Summary.

    Args:
      x: a value.

    Example:
      >>> 1 + 1
      2

      >>> print("a")
      a

    Returns:
      Nothing.
    """
    import inspect
    assert public_api.example_blocks(inspect.cleandoc(doc)) == [
        '>>> 1 + 1\n2\n\n>>> print("a")\na']


@pytest.mark.parametrize("name, text", [
    pytest.param(name, text, id=name, marks=[pytest.mark.xfail(strict=True)] if name in NOT_YET
                 else []) for name, text in EXAMPLES])
def test_docstring_example_runs(name, text, tmp_path, monkeypatch):
    assert ">>>" in text, f"{name}: write the Example block as doctest lines (>>> ...)"
    monkeypatch.chdir(tmp_path)
    test = doctest.DocTestParser().get_doctest(
        text, {"__name__": "__example__"}, name, f"<docstring of {name}>", 0)
    report: list[str] = []
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    runner.run(test, out=report.append, clear_globs=True)
    assert runner.failures == 0, f"{name}'s example:\n" + "".join(report)
