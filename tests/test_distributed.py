"""tf.distribute: MirroredStrategy on two logical CPUs equals one device, uneven batches too.

The CPU can only be split before TensorFlow initializes, so the mirrored runs happen in a
subprocess (tests/distributed/mirrored_job.py) that writes both results for comparison.
"""
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

import minikeras as mk

HERE = os.path.dirname(__file__)


ALL_OPTIMIZERS = {"sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop", "adagrad",
                  "adam_plain", "schedule_clipnorm"}


def run_job(tmp_path, n, steps_per_execution, optimizers):
    out = tmp_path / f"mirrored_{n}_{steps_per_execution}.npz"
    proc = subprocess.run(
        [sys.executable, os.path.join(HERE, "distributed", "mirrored_job.py"), str(out), str(n),
         str(steps_per_execution), ",".join(sorted(optimizers))],
        capture_output=True, text=True, timeout=600,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return np.load(out)


@pytest.mark.slow
@pytest.mark.parametrize("n,steps_per_execution,optimizers", [
    (67, "auto", ALL_OPTIMIZERS),  # every optimizer with a last batch split 2/1
    (65, 3, {"nesterov", "adam_plain", "schedule_clipnorm"}),  # a replica with no samples
])
def test_two_replicas_equal_one_device(tmp_path, n, steps_per_execution, optimizers):
    """67 = 4*16 + 3 and 65 = 4*16 + 1: the last batch splits 2/1 or leaves a replica empty."""
    results = run_job(tmp_path, n, steps_per_execution, optimizers)
    pairs = [k for k in results.files if "/w1/" in k or "/h1/" in k or k.endswith(("/e1", "/p1"))]
    assert {k.split("/")[0] for k in pairs} == optimizers
    assert any("/h1/val_loss" in k for k in pairs)
    for key in pairs:
        other = (key.replace("/w1/", "/w2/").replace("/h1/", "/h2/")
                 .replace("/e1", "/e2").replace("/p1", "/p2"))
        np.testing.assert_allclose(results[other], results[key], rtol=1e-5, atol=1e-5,
                                   err_msg=key)


def test_model_built_outside_the_scope_is_a_clear_error():
    strategy = tf.distribute.MirroredStrategy(["/cpu:0"])
    outside = mk.Sequential([mk.Input(shape=(2,)), mk.layers.Dense(1)])
    with strategy.scope():
        with pytest.raises(ValueError, match="created outside a tf.distribute strategy scope"):
            outside.compile(optimizer="sgd", loss="mse")
    with strategy.scope():
        inside = mk.Sequential([mk.Input(shape=(2,)), mk.layers.Dense(1)])
    with pytest.raises(ValueError, match="inside a tf.distribute strategy scope"):
        inside.compile(optimizer="sgd", loss="mse")


def test_model_compiled_outside_any_strategy_then_used_inside_one():
    model = mk.Sequential([mk.Input(shape=(2,)), mk.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.ones((4, 2), np.float32)
    with tf.distribute.MirroredStrategy(["/cpu:0"]).scope():
        for call in (lambda: model.fit(x, x[:, :1], verbose=0),
                     lambda: model.evaluate(x, x[:, :1], verbose=0),
                     lambda: model.predict(x, verbose=0)):
            with pytest.raises(ValueError, match="built and compiled outside any strategy scope "
                                                 "but is used inside MirroredStrategy"):
                call()
    model.fit(x, x[:, :1], verbose=0)  # outside, it still trains


def test_model_compiled_under_one_strategy_used_under_another():
    first = tf.distribute.MirroredStrategy(["/cpu:0"])
    with first.scope():
        model = mk.Sequential([mk.Input(shape=(2,)), mk.layers.Dense(1)])
        model.compile(optimizer="sgd", loss="mse")
    x = np.ones((4, 2), np.float32)
    model.fit(x, x[:, :1], verbose=0)  # enters its own strategy: fine
    with tf.distribute.MirroredStrategy(["/cpu:0"]).scope():
        with pytest.raises(ValueError, match="compiled under MirroredStrategy but is used "
                                             "inside MirroredStrategy's scope"):
            model.fit(x, x[:, :1], verbose=0)


class _FakeResolver:
    def __init__(self, task_type, task_id, cluster):
        self.task_type, self.task_id, self._cluster = task_type, task_id, cluster

    def cluster_spec(self):
        return tf.train.ClusterSpec(self._cluster)


class _FakeStrategy:
    """Just what `is_chief` reads of a MultiWorkerMirroredStrategy."""
    def __init__(self, resolver, multi_worker=True):
        self.cluster_resolver = resolver
        self.extended = type("Extended", (), {"_in_multi_worker_mode": lambda _: multi_worker})()


@pytest.mark.parametrize("task_type,task_id,has_chief,expected", [
    ("chief", 0, True, True),
    ("worker", 0, False, True),   # worker 0 leads when there is no chief
    ("worker", 0, True, False),   # ... but not when a chief exists
    ("worker", 1, False, False),
    ("worker", 1, True, False),
])
def test_is_chief_follows_the_tf_config_convention(task_type, task_id, has_chief, expected):
    from minikeras.utils.distribution import is_chief
    cluster = {"worker": ["127.0.0.1:1", "127.0.0.1:2"]}
    if has_chief:
        cluster["chief"] = ["127.0.0.1:3"]
    strategy = _FakeStrategy(_FakeResolver(task_type, task_id, cluster))
    assert is_chief(strategy) is expected
    assert is_chief(_FakeStrategy(_FakeResolver("worker", 1, cluster), multi_worker=False))
    assert is_chief()  # no strategy at all: the only process writes


def _free_ports(count):
    import socket
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def _run_workers(script, tmp_path, base_env, tag, extra_env=None):
    import json
    workers = [f"127.0.0.1:{p}" for p in _free_ports(2)]
    procs = []
    for index in range(2):
        config = {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}
        procs.append(subprocess.Popen(
            [sys.executable, script, str(tmp_path / f"{tag}{index}.npz")],
            env={**base_env, **(extra_env or {}), "TF_CONFIG": json.dumps(config)},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    try:
        outputs = [p.communicate(timeout=240) for p in procs]
    finally:
        for p in procs:
            p.kill()
    for p in procs:
        assert p.returncode == 0, "\n---\n".join(e[-2500:] for _, e in outputs)
    return [np.load(tmp_path / f"{tag}{index}.npz") for index in range(2)]


def _run_single(script, tmp_path, base_env, tag, extra_env=None):
    proc = subprocess.run([sys.executable, script, str(tmp_path / f"{tag}.npz")],
                          capture_output=True, text=True, timeout=300,
                          env={**base_env, **(extra_env or {})})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return np.load(tmp_path / f"{tag}.npz")


def _assert_workers_match(results, one, skip=("replicas", "loss", "shared_writes")):
    w0, w1 = results
    assert int(w0["replicas"]) == 2 and int(one["replicas"]) == 1
    for key in one.files:
        if key in skip:
            continue
        np.testing.assert_array_equal(w0[key], w1[key], err_msg=key)  # identical workers
        np.testing.assert_allclose(w0[key], one[key], rtol=1e-5, atol=1e-5, err_msg=key)


@pytest.mark.slow
def test_multi_worker_mirrored_two_processes_equal_one_process(tmp_path):
    script = os.path.join(HERE, "distributed", "multiworker_job.py")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    env.pop("TF_CONFIG", None)
    one = _run_single(script, tmp_path, env, "single")
    results = _run_workers(script, tmp_path, env, "worker")
    _assert_workers_match(results, one, skip=("replicas", "shared_writes"))


@pytest.mark.slow
def test_multi_worker_chief_writes_and_every_worker_restores(tmp_path):
    """Run 3 epochs with BackupAndRestore + ModelCheckpoint, then rerun for 5: both workers
    restore the chief's backup and end equal to one process trained for 5 epochs."""
    script = os.path.join(HERE, "distributed", "multiworker_job.py")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    env.pop("TF_CONFIG", None)
    shared = {"BACKUP_DIR": str(tmp_path / "shared")}
    first = _run_workers(script, tmp_path, env, "first", shared)
    written = sorted(os.listdir(tmp_path / "shared"))
    assert written == ["backup", "ckpt_1", "ckpt_2", "ckpt_3"]
    # 3 weight files + 3 epoch backups, all by the chief (worker 0); worker 1 wrote nothing there
    assert [int(r["shared_writes"]) for r in first] == [6, 0]
    results = _run_workers(script, tmp_path, env, "resumed", {**shared, "EPOCHS": "5"})
    # epochs 4 and 5 only: both workers restored epoch 3
    assert [len(r["loss"]) for r in results] == [2, 2]
    one = _run_single(script, tmp_path, env, "single5", {"EPOCHS": "5"})
    _assert_workers_match(results, one)
