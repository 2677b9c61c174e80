"""A model's own train_step/test_step under MirroredStrategy (two logical CPUs) equals one
device: keras runs the step in every replica, and the optimizer sums the replicas' gradients
(tests/distributed/own_step_job.py, in a subprocess: the CPU is split before TF starts)."""
import os
import subprocess
import sys

import numpy as np
import pytest

HERE = os.path.dirname(__file__)


@pytest.mark.slow
def test_own_train_step_two_replicas_equal_one_device(tmp_path):
    out = tmp_path / "own_step.npz"
    proc = subprocess.run(
        [sys.executable, os.path.join(HERE, "distributed", "own_step_job.py"), str(out)],
        capture_output=True, text=True, timeout=600,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = np.load(out)
    pairs = [k for k in results.files if "/w1/" in k or "/h1/" in k]
    assert {k.split("/")[0] for k in pairs} == {"custom", "two_optimizers"}
    assert "custom/h1/val_mae" in pairs and "custom/h1/accuracy" in pairs
    for key in pairs:
        other = key.replace("/w1/", "/w2/").replace("/h1/", "/h2/")
        np.testing.assert_allclose(results[other], results[key], rtol=1e-5, atol=1e-6,
                                   err_msg=key)
