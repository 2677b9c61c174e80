"""Executes the tutorials (tutorials/NN_*.py, jupytext percent format) into notebooks.

Each tutorial runs once, in quick mode (``MINIKERAS_QUICK=1``), in a fresh kernel, as
tests/test_tutorials.py runs it; the executed notebook, with its figures inline, is kept in
``.cache/docs-tutorials/`` under a key made of the tutorial's text and every file of the
minikeras package (and of this file), so a rebuild re-runs only what changed. Up to one
tutorial per core runs at a time. A cell that raises fails the build, with the cell's error.

While editing the pages, ``MINIKERAS_DOCS_STALE_OK=1`` reuses a notebook executed for the
same tutorial text even if minikeras has changed since (``make docs`` never sets it).

    python docs/hooks/tutorials.py            # execute (or reuse) all, print the paths
"""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "docs-tutorials"
TIMEOUT = 600  # seconds per cell; quick mode takes seconds, but the 2 cores may be shared


def sources() -> list[Path]:
    """The tutorial scripts, in order."""
    return sorted((ROOT / "tutorials").glob("[0-9][0-9]_*.py"))


def _package_digest() -> str:
    digest = hashlib.sha256(Path(__file__).read_bytes())  # this file decides how they run
    for path in sorted((ROOT / "minikeras").rglob("*.py")):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cached_path(source: Path, package_digest: str) -> Path:
    """Where the executed notebook of ``source`` is kept for this tutorial and package text."""
    return CACHE / f"{source.stem}-{_source_key(source)}-{package_digest[:12]}.ipynb"


def _source_key(source: Path) -> str:
    return hashlib.sha256(source.read_bytes()).hexdigest()[:12]


def _any_package(source: Path) -> Path | None:
    """An executed notebook of this tutorial text, whatever minikeras's text was then."""
    found = sorted(CACHE.glob(f"{source.stem}-{_source_key(source)}-*.ipynb"),
                   key=lambda path: path.stat().st_mtime)
    return found[-1] if found else None


def execute(source: Path, target: Path) -> None:
    """Renders ``source`` with jupytext, executes it with nbclient, writes ``target``.

    Runs in a subprocess (one kernel each, with its own working folder, so the figures a
    tutorial also saves go to a temporary folder). Raises RuntimeError with the failing cell's
    output when a cell raises.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="docs-tutorial-") as work:
        env = dict(os.environ, MINIKERAS_QUICK="1", PYTHONUNBUFFERED="1",
                   MINIKERAS_FIGURES=os.path.join(work, "figures"))
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        env.pop("MPLBACKEND", None)  # the kernel's inline backend shows the figures
        partial = target.with_suffix(".partial")
        result = subprocess.run(
            [sys.executable, __file__, "--one", str(source), str(partial), work],
            cwd=work, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"tutorial {source.name} failed in quick mode:\n"
                               f"{result.stderr[-6000:]}")
        os.replace(partial, target)


def _execute_here(source: str, target: str, work: str) -> None:
    import jupytext
    import nbformat
    from nbclient import NotebookClient

    notebook = jupytext.read(source)
    NotebookClient(notebook, timeout=TIMEOUT, kernel_name="python3",
                   resources={"metadata": {"path": work}}).execute()
    for cell in notebook.cells:
        outputs = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                kept = [line for line in output["text"].splitlines(keepends=True)
                        if not _TF_NOISE.match(line)]
                if not "".join(kept).strip():
                    continue
                output["text"] = "".join(kept)
            outputs.append(output)
        if "outputs" in cell:
            cell["outputs"] = outputs
    nbformat.write(notebook, target)


# TensorFlow's start-up lines on stderr (CUDA probing, CPU features), not the tutorial's output
_TF_NOISE = re.compile(r"^(WARNING: All log messages before absl|[IWE]\d{4} |To enable the "
                       r"following instructions|\s*$)")


def executed_notebooks(log=print) -> dict[Path, Path]:
    """``{tutorial source: executed notebook}`` for every tutorial, executing the ones whose
    cached notebook is missing or stale (in parallel, one per core)."""
    digest = _package_digest()
    plan = {source: cached_path(source, digest) for source in sources()}
    if os.environ.get("MINIKERAS_DOCS_STALE_OK") == "1":
        for source, target in plan.items():
            if not target.exists() and _any_package(source):
                plan[source] = _any_package(source)
    todo = [source for source, target in plan.items() if not target.exists()]
    if todo:
        log(f"executing {len(todo)} tutorial(s) in quick mode: "
            + ", ".join(source.stem for source in todo))
        with ThreadPoolExecutor(max_workers=max(1, min(len(todo), os.cpu_count() or 1))) as pool:
            for future in [pool.submit(execute, source, plan[source]) for source in todo]:
                future.result()
    current = set(plan.values())
    for stale in CACHE.glob("*.ipynb"):
        if stale not in current and os.environ.get("MINIKERAS_DOCS_STALE_OK") != "1":
            stale.unlink()
    return plan


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        _execute_here(*sys.argv[2:5])
    else:
        for source, notebook in executed_notebooks().items():
            print(source.name, "->", notebook)
