"""The tutorials run, in quick mode, as scripts and (some) as rendered notebooks.

Each tutorial checks its own claims with asserts, so a tutorial that runs is a tutorial whose
claims hold. Scripts run as subprocesses (as a student would run them); notebooks are rendered
with jupytext and executed with nbclient in a fresh kernel, where figures must show inline.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TUTORIALS = sorted((ROOT / "tutorials").glob("[0-9][0-9]_*.py"))
SLOW = {"03_basic_example", "04_sgd_momentum_nesterov", "05_minibatch_and_learning_rate",
        "06_initialization_standardization_shuffling", "07_a_real_dataset",
        "08_standardization_and_batch_norm"}
# Executed through nbclient: the one without training, and one that trains and draws.
NOTEBOOKS = ["01_tensors", "03_basic_example"]
TIMEOUT = 600  # generous: quick mode takes well under a minute, but CI machines are shared


def quick_env(**extra):
    env = dict(os.environ, MINIKERAS_QUICK="1", PYTHONUNBUFFERED="1", **extra)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


def test_all_eight_tutorials_are_found():
    assert [p.stem[:2] for p in TUTORIALS] == ["01", "02", "03", "04", "05", "06", "07", "08"]


@pytest.mark.parametrize("path", [
    pytest.param(p, id=p.stem, marks=[pytest.mark.slow] if p.stem in SLOW else [])
    for p in TUTORIALS])
def test_tutorial_runs_as_script(path, tmp_path):
    figures = tmp_path / "figures"
    result = subprocess.run(
        [sys.executable, str(path)], cwd=tmp_path, capture_output=True, text=True,
        timeout=TIMEOUT, env=quick_env(MPLBACKEND="Agg", MINIKERAS_FIGURES=str(figures)))
    assert result.returncode == 0, (
        f"{path.name} failed\n--- stdout (end)\n{result.stdout[-3000:]}\n"
        f"--- stderr (end)\n{result.stderr[-5000:]}")
    assert list(figures.glob(f"{path.stem[:2]}_*.png")), "the tutorial wrote no figure"


def render(stem, folder):
    """Renders tutorials/<stem>.py to <folder>/<stem>.ipynb with jupytext; returns the notebook."""
    import jupytext
    import nbformat

    notebook = jupytext.read(ROOT / "tutorials" / f"{stem}.py")
    nbformat.validate(notebook)
    jupytext.write(notebook, folder / f"{stem}.ipynb")
    return nbformat.read(folder / f"{stem}.ipynb", as_version=4)


@pytest.mark.parametrize("path", TUTORIALS, ids=[p.stem for p in TUTORIALS])
def test_tutorial_renders_to_a_notebook(path, tmp_path):
    notebook = render(path.stem, tmp_path)
    kinds = [cell.cell_type for cell in notebook.cells]
    assert kinds[0] == "markdown" and kinds.count("markdown") >= 3 and "code" in kinds
    assert notebook.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("stem", [
    pytest.param(s, marks=[pytest.mark.slow] if s in SLOW else []) for s in NOTEBOOKS])
def test_notebook_executes_with_inline_figures(stem, tmp_path, monkeypatch):
    from nbclient import NotebookClient

    notebook = render(stem, tmp_path)
    # The kernel inherits this environment: quick mode, and matplotlib's inline backend.
    monkeypatch.setenv("MINIKERAS_QUICK", "1")
    monkeypatch.delenv("MPLBACKEND", raising=False)
    monkeypatch.delenv("MINIKERAS_FIGURES", raising=False)
    NotebookClient(notebook, timeout=TIMEOUT, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()

    images = [output for cell in notebook.cells if cell.cell_type == "code"
              for output in cell.get("outputs", []) if "image/png" in output.get("data", {})]
    assert images, "no figure was shown inline"
    assert list((tmp_path / "figures").glob(f"{stem[:2]}_*.png")), "no figure was written"
