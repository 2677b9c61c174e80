"""Runs every example script twice, as written (with keras) and with only the import changed
(``import minikeras as keras``), and prints which ran.

    .venv/bin/python examples/run_all.py [name ...]

The product's promise is the second column: a keras script runs with only the import changed.
tests/test_examples.py runs the same check in `make test`.
"""
from __future__ import annotations

import contextlib
import io
import os
import pathlib
import re
import runpy
import sys
import tempfile
import time
import traceback

HERE = pathlib.Path(__file__).resolve().parent
SCRIPTS = sorted(p for p in HERE.glob("*.py") if p.name != "run_all.py")


def with_minikeras(source: str) -> str:
    """The script with its keras imports pointed at minikeras (nothing else changes)."""
    source = re.sub(r"^(\s*)import keras\s*$", r"\1import minikeras as keras", source,
                    flags=re.MULTILINE)
    return re.sub(r"^(\s*)from keras(\.| )", r"\1from minikeras\2", source, flags=re.MULTILINE)


def run(path: pathlib.Path, library: str) -> dict:
    """Runs one script as ``python script.py`` would, from a temporary working directory
    (the minikeras variant written there first); returns its globals (``__error__`` holds
    the traceback if it failed, ``__output__`` its stdout)."""
    source = path.read_text()
    out = io.StringIO()
    cwd = os.getcwd()
    start = time.perf_counter()
    namespace: dict = {}
    with tempfile.TemporaryDirectory() as work, contextlib.redirect_stdout(out):
        script = pathlib.Path(work) / path.name
        script.write_text(with_minikeras(source) if library == "minikeras" else source)
        os.chdir(work)
        try:
            namespace = runpy.run_path(str(script), run_name="__main__")
        except Exception:  # noqa: BLE001 - reported, not raised: the table lists every script
            namespace = {"__error__": traceback.format_exc()}
        finally:
            os.chdir(cwd)
    namespace["__output__"] = out.getvalue()
    namespace["__seconds__"] = time.perf_counter() - start
    return namespace


def main(names: list[str]) -> int:
    scripts = [p for p in SCRIPTS if not names or p.stem in names]
    failures = 0
    print(f"{'script':32} {'keras':>8} {'minikeras':>10}")
    for path in scripts:
        cells = []
        for library in ("keras", "minikeras"):
            result = run(path, library)
            error = result.get("__error__")
            cells.append("fails" if error else f"{result['__seconds__']:.1f} s")
            if error and library == "minikeras":
                failures += 1
                last = error.strip().splitlines()[-1]
                print(f"    {path.stem} on minikeras: {last}", file=sys.stderr)
        print(f"{path.stem:32} {cells[0]:>8} {cells[1]:>10}")
    print(f"{len(scripts) - failures} of {len(scripts)} run with only the import changed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
