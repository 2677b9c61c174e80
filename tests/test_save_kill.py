"""Saves killed with SIGKILL at random moments: the target always loads, and the next save into
the folder (model.save, ModelCheckpoint, BackupAndRestore) leaves no temporary file behind.

A child process saves in a loop; the parent kills it after a random delay, a bounded number of
times. Unit tests below check that only orphans of dead writers are removed.
"""
import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import minikeras as mk
from minikeras.saving import tempfiles

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(mk.__file__)))
X = np.random.default_rng(0).normal(size=(64, 200)).astype(np.float32)
Y = (X[:, :1] > 0).astype(np.float32)

CHILD = textwrap.dedent("""
    import os, sys
    import numpy as np
    import minikeras as mk
    mode, target = sys.argv[1], sys.argv[2]
    x = np.random.default_rng(0).normal(size=(64, 200)).astype(np.float32)
    y = (x[:, :1] > 0).astype(np.float32)
    model = mk.Sequential([mk.Input(shape=(200,)), mk.layers.Dense(1000, activation="tanh"),
                           mk.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    if mode == "save":
        model.save(target)
        print("ready", flush=True)
        while True:
            model.save(target)
    else:
        class Ready(mk.callbacks.Callback):  # after the first save: a target exists
            def on_train_batch_end(self, batch, logs=None):
                if batch == 1:
                    print("ready", flush=True)
        saver = (mk.callbacks.ModelCheckpoint(target, save_freq=1) if mode == "checkpoint" else
                 mk.callbacks.BackupAndRestore(target, save_freq=1, delete_checkpoint=False))
        model.fit(x, y, batch_size=8, epochs=10**6, verbose=0, callbacks=[saver, Ready()])
""")


def model():
    m = mk.Sequential([mk.Input(shape=(200,)), mk.layers.Dense(1000, activation="tanh"),
                       mk.layers.Dense(1, activation="sigmoid")])
    m.compile(optimizer="adam", loss="binary_crossentropy")
    return m


def kill_during(mode, target, tmp_path, delays):
    """Runs the child once per delay, kills it that long after it is ready; returns how many
    temporary files the kills left (not asserted: a kill may land between two saves)."""
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    env = dict(os.environ, PYTHONPATH=ROOT, TF_CPP_MIN_LOG_LEVEL="3")
    folder, left = (target if mode == "backup" else os.path.dirname(target)), 0
    for delay in delays:
        child = subprocess.Popen([sys.executable, str(script), mode, str(target)], env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            assert child.stdout.readline().strip() == "ready"
            time.sleep(delay)
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait()
        left += len(leftovers(folder))  # the next child's first save cleans them up
    return left


def leftovers(folder):
    return [n for n in os.listdir(folder) if n.endswith(".tmp") or "_temp" in n or ".tmp" in n]


@pytest.mark.slow
def test_killed_model_saves(tmp_path):
    target = tmp_path / "m.minikeras"
    rng = random.Random(0)
    kill_during("save", target, tmp_path, [rng.uniform(0.05, 0.6) for _ in range(3)])
    mk.models.load_model(target)  # the target always loads
    (tmp_path / "unrelated.tmp").write_text("not ours")
    model().save(target)
    assert leftovers(tmp_path) == ["unrelated.tmp"]
    mk.models.load_model(target)


@pytest.mark.slow
def test_killed_checkpoints(tmp_path):
    target = tmp_path / "ckpt.minikeras"
    rng = random.Random(1)
    kill_during("checkpoint", target, tmp_path, [rng.uniform(0.05, 1.0) for _ in range(2)])
    mk.models.load_model(target)
    model().fit(X, Y, batch_size=32, epochs=1, verbose=0,
                callbacks=[mk.callbacks.ModelCheckpoint(str(target))])
    assert leftovers(tmp_path) == []
    mk.models.load_model(target)


@pytest.mark.slow
def test_killed_backups(tmp_path):
    folder = tmp_path / "backup"
    rng = random.Random(2)
    kill_during("backup", folder, tmp_path, [rng.uniform(0.05, 1.0) for _ in range(2)])
    model().fit(X, Y, batch_size=32, epochs=1, verbose=0, callbacks=[
        mk.callbacks.BackupAndRestore(str(folder), delete_checkpoint=False)])
    assert leftovers(folder) == []


# ---- which temporary files are removed ---------------------------------------------------------
def dead_pid():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_only_orphans_of_dead_writers_are_removed(tmp_path):
    dead = dead_pid()
    orphan = tmp_path / f".m.minikeras.mk{dead}-0123456789ab.tmp"
    live = tmp_path / f".m.minikeras.mk{os.getppid()}-0123456789ab.tmp"
    mine = tmp_path / f".m.minikeras.mk{os.getpid()}-0123456789ab.tmp"
    older = tmp_path / ".m.minikeras.0123456789ab.tmp"  # before pids in names: unknown writer
    other = tmp_path / f"notes.mk{dead}-0123456789ab.tmp"  # not starting with a dot
    folder_like = tmp_path / f".d.mk{dead}-0123456789ab.tmp"
    link = tmp_path / f".l.mk{dead}-0123456789ab.tmp"
    for path in (orphan, live, mine, older, other):
        path.write_bytes(b"partial")
    folder_like.mkdir()
    link.symlink_to(other)
    model().save(tmp_path / "m.minikeras")
    assert not orphan.exists()
    assert all(p.exists() for p in (live, mine, older, other, folder_like, link))
    assert other.read_bytes() == b"partial"


@pytest.mark.skipif(tempfiles.fcntl is None, reason="no advisory locks on this platform")
def test_a_locked_temporary_file_is_left_alone(tmp_path):
    """A writer in another pid namespace or on another machine: its pid means nothing here,
    its lock does."""
    import fcntl
    path = tmp_path / f".m.minikeras.mk{dead_pid()}-0123456789ab.tmp"
    path.write_bytes(b"being written")
    with open(path, "rb+") as f:  # flock locks belong to an open file, not to a process
        fcntl.flock(f, fcntl.LOCK_EX)
        assert tempfiles.remove_stale(str(tmp_path)) == [] and path.exists()
    assert tempfiles.remove_stale(str(tmp_path)) == [str(path)]


def test_a_temporary_file_is_named_and_locked_while_written(tmp_path, monkeypatch):
    seen = []
    real_replace = os.replace

    def spy(src, dst):
        seen.append(os.path.basename(src))
        assert tempfiles.remove_stale(str(tmp_path)) == []  # its own: kept
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    model().save(tmp_path / "m.minikeras")
    assert len(seen) == 1 and tempfiles.is_temporary_name(seen[0])
    assert f".mk{os.getpid()}-" in seen[0]
