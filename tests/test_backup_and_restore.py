"""BackupAndRestore: a training subprocess killed mid-run resumes to bitwise-equal weights."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import minikeras as mk
from minikeras.callbacks.backup_and_restore import BackupAndRestore

SCRIPT = textwrap.dedent('''
    import os, signal, sys
    import numpy as np
    import minikeras as mk
    from minikeras.callbacks.backup_and_restore import BackupAndRestore

    mode, backup, out = sys.argv[1:4]
    mk.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(90, 4)).astype("float32")
    y = (x[:, 0] * x[:, 1] > 0).astype("float32")
    model = mk.Sequential([mk.Input(shape=(4,)), mk.layers.Dense(16, activation="relu"),
                           mk.layers.Dropout(0.3), mk.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer=mk.optimizers.SGD(0.05, momentum=0.9, nesterov=True),
                  loss="binary_crossentropy", metrics=["accuracy"])

    class Crash(mk.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            state = model.training_state
            if state.epoch == 2 and state.step == 7:
                os.kill(os.getpid(), signal.SIGKILL)  # no cleanup, no on_train_end

    class Count(mk.callbacks.Callback):
        batches = 0

        def on_train_batch_end(self, batch, logs=None):
            Count.batches += 1

    callbacks = [BackupAndRestore(backup, save_freq=int(os.environ.get("SAVE_FREQ", "3"))),
                 Count()]
    if mode == "crash":
        callbacks.append(Crash())
    history = model.fit(x, y, batch_size=8, epochs=4, callbacks=callbacks, verbose=0)
    np.savez(out, *model.get_weights(), loss=np.array(history.history["loss"]),
             epochs=np.array(history.epoch), batches=np.array(Count.batches),
             iterations=model.optimizer.iterations.numpy())
''')


def run(tmp_path, mode, out, save_freq="3"):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "SAVE_FREQ": save_freq, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run([sys.executable, str(script), mode, str(tmp_path / "backup"), str(out)],
                          env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
@pytest.mark.parametrize("save_freq", ["3", "5"])
def test_killed_run_resumes_bitwise(tmp_path, save_freq):
    plain = run(tmp_path, "plain", tmp_path / "plain.npz", save_freq)
    assert plain.returncode == 0, plain.stderr[-2000:]
    assert not (tmp_path / "backup").exists()  # deleted after a normal end

    crashed = run(tmp_path, "crash", tmp_path / "never.npz", save_freq)
    assert crashed.returncode == -9, crashed.stderr[-2000:]
    assert (tmp_path / "backup").exists() and not (tmp_path / "never.npz").exists()

    resumed = run(tmp_path, "resume", tmp_path / "resumed.npz", save_freq)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    a, b = np.load(tmp_path / "plain.npz"), np.load(tmp_path / "resumed.npz")
    # 90 rows in batches of 8: 12 steps an epoch, 48 in all. The crash came after step 7 of
    # epoch index 2; backups are made every save_freq steps of an epoch, so the last one was
    # at step 6 (save_freq 3) or 5 (save_freq 5) of it: the rerun runs only what follows.
    last_backup = 24 + int(save_freq) * (7 // int(save_freq))
    assert a["epochs"].tolist() == [0, 1, 2, 3] and int(a["batches"]) == 48
    assert b["epochs"].tolist() == [2, 3] and int(b["batches"]) == 48 - last_backup
    assert int(b["iterations"]) == int(a["iterations"]) == 48
    weights = [k for k in a.files if k.startswith("arr_")]
    for k in weights:
        np.testing.assert_array_equal(a[k], b[k])
    # the resumed run reports the epochs it ran; the last ones equal the uninterrupted run's
    np.testing.assert_array_equal(b["loss"], a["loss"][-len(b["loss"]):])


def test_epoch_backups_restore_in_process(tmp_path):
    """Two fits in one process: the second resumes at the epoch the first backed up."""
    x = np.random.default_rng(1).normal(size=(40, 3)).astype(np.float32)
    y = x[:, :1] * 2

    def model():
        mk.utils.set_random_seed(4)
        m = mk.Sequential([mk.Input(shape=(3,)), mk.layers.Dense(1)])
        m.compile(optimizer=mk.optimizers.SGD(0.01), loss="mse")
        return m

    reference = model()
    reference.fit(x, y, epochs=5, batch_size=8, verbose=0)

    first = model()
    backup = BackupAndRestore(tmp_path / "b", delete_checkpoint=False)

    class StopAt2(mk.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            first.stop_training = epoch == 1

    first.fit(x, y, epochs=5, batch_size=8, verbose=0, callbacks=[backup, StopAt2()])
    second = model()
    history = second.fit(x, y, epochs=5, batch_size=8, verbose=0,
                         callbacks=[BackupAndRestore(tmp_path / "b")])
    assert history.epoch == [2, 3, 4]
    for u, v in zip(second.get_weights(), reference.get_weights()):
        np.testing.assert_array_equal(u, v)
    assert not (tmp_path / "b").exists()


def test_bad_arguments():
    with pytest.raises(ValueError, match="save_freq"):
        BackupAndRestore("x", save_freq=0)
    with pytest.raises(ValueError, match="backup_dir"):
        BackupAndRestore("")


def test_double_checkpoint_falls_back_to_the_previous_backup(tmp_path):
    x = np.random.default_rng(0).normal(size=(16, 3)).astype("float32")
    y = x.sum(axis=1, keepdims=True)

    class Stop(mk.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 2:
                raise RuntimeError("interrupted")

    def model():
        m = mk.Sequential([mk.Input(shape=(3,)), mk.layers.Dense(1)])
        m.compile(optimizer="sgd", loss="mse")
        return m

    backup = BackupAndRestore(tmp_path / "b", double_checkpoint=True)
    with pytest.raises(RuntimeError):
        model().fit(x, y, epochs=5, verbose=0, callbacks=[backup, Stop()])
    index_files = sorted((tmp_path / "b").glob("ckpt-*.index"))
    assert len(index_files) == 2  # the backups after (0-based) epochs 1 and 2
    index_files[-1].write_bytes(b"corrupted")
    history = model().fit(x, y, epochs=5, verbose=0,
                          callbacks=[BackupAndRestore(tmp_path / "b", double_checkpoint=True)])
    assert history.epoch == [2, 3, 4]  # resumed from the older backup
    with pytest.raises(ValueError, match="Empty `backup_dir` argument passed"):
        BackupAndRestore(None)
    with pytest.raises(ValueError, match="Invalid value for argument `save_freq`"):
        BackupAndRestore("x", save_freq="batch")
