"""The product's promise, checked: each script in examples/ (ordinary keras scripts of the
kinds in keras's examples and guides, TensorFlow's tutorials and well-known books) runs with
keras as written and with only the import changed to minikeras, and both produce the same
History keys, with finite values.

keras runs each as well, so a script that stops being valid keras fails here too.
"""
import importlib.util
import pathlib

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("run_all", ROOT / "examples" / "run_all.py")
run_all = importlib.util.module_from_spec(spec)
spec.loader.exec_module(run_all)


def test_the_import_is_all_that_changes():
    source = "import keras\nfrom keras import layers\nfrom keras.utils import to_categorical\n"
    assert run_all.with_minikeras(source) == (
        "import minikeras as keras\nfrom minikeras import layers\n"
        "from minikeras.utils import to_categorical\n")


@pytest.mark.parametrize("script", run_all.SCRIPTS, ids=[p.stem for p in run_all.SCRIPTS])
def test_runs_with_only_the_import_changed(script):
    ours = run_all.run(script, "minikeras")
    assert "__error__" not in ours, ours["__error__"]
    ref = run_all.run(script, "keras")
    assert "__error__" not in ref, "the example is not valid keras: " + ref["__error__"]
    if "history" in ref:  # the same logs; their numbers are checked by the parity tests (a
        # script that shuffles or stops early on its own rule may run other epochs than keras)
        h_ours, h_ref = ours["history"].history, ref["history"].history
        assert sorted(h_ours) == sorted(h_ref)
        for key in h_ref:
            assert h_ours[key] and np.all(np.isfinite(h_ours[key])), key
