"""CSVLogger, TensorBoard, LambdaCallback and TerminateOnNaN in real fits, with keras's files and
tags as the reference."""
import csv
import glob
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

import minikeras as mk

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

X = np.random.default_rng(0).normal(size=(64, 2)).astype(np.float32)
Y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(np.float32)


def mk_model(lr=0.1, loss="binary_crossentropy", activation="sigmoid"):
    m = mk.Sequential([mk.Input(shape=(2,)), mk.layers.Dense(1, activation=activation)])
    m.compile(optimizer=mk.optimizers.SGD(lr), loss=loss, metrics=["accuracy"])
    return m


def keras_model():
    m = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1, activation="sigmoid")])
    m.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy",
              metrics=["accuracy"])
    return m


# ---- CSVLogger ----------------------------------------------------------------------------------
def test_csv_rows_are_the_history(tmp_path):
    path = tmp_path / "log.csv"
    history = mk_model().fit(X, Y, epochs=3, verbose=0, validation_split=0.25,
                             callbacks=[mk.callbacks.CSVLogger(path)])
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]
    assert [int(r["epoch"]) for r in rows] == [0, 1, 2]
    for key in ("accuracy", "loss", "val_accuracy", "val_loss"):
        assert [float(r[key]) for r in rows] == history.history[key]  # repr round-trips


def drive_csv(callback, model, epochs_logs):
    callback.set_model(model)
    callback.on_train_begin()
    for epoch, logs in enumerate(epochs_logs):
        callback.on_epoch_end(epoch, dict(logs))
    callback.on_train_end()


@pytest.mark.parametrize("epochs_logs, kwargs", [
    ([{"loss": 0.5, "accuracy": 0.75, "val_loss": 0.625, "val_accuracy": 0.5},
      {"loss": 0.25, "accuracy": 1.0, "val_loss": 0.3, "val_accuracy": 1.0}], {}),
    # no validation: keras adds val_ columns filled with NA
    ([{"loss": 0.5, "accuracy": 0.75}, {"loss": 0.1, "accuracy": 0.875}], {"separator": ";"}),
    # validation every other epoch (validation_freq=2): NA in the others
    ([{"loss": 0.5}, {"loss": 0.4, "val_loss": 0.45}, {"loss": 0.3, "learning_rate": 0.1}], {}),
    ([{"loss": 0.5, "values": [1, 2]}], {}),
])
def test_csv_bytes_match_keras(tmp_path, epochs_logs, kwargs):
    ours, ref = tmp_path / "ours.csv", tmp_path / "ref.csv"
    drive_csv(mk.callbacks.CSVLogger(ours, **kwargs), mk_model(), epochs_logs)
    drive_csv(keras.callbacks.CSVLogger(str(ref), **kwargs), keras_model(), epochs_logs)
    assert ours.read_bytes() == ref.read_bytes()


def test_csv_append_writes_the_header_once(tmp_path):
    path = tmp_path / "log.csv"
    m = mk_model()
    m.fit(X, Y, epochs=2, verbose=0, callbacks=[mk.callbacks.CSVLogger(path)])
    m.fit(X, Y, epochs=3, verbose=0, callbacks=[mk.callbacks.CSVLogger(path, append=True)])
    lines = path.read_text().splitlines()
    assert len(lines) == 6 and lines[0].startswith("epoch,") and \
        [l.split(",")[0] for l in lines[1:]] == ["0", "1", "0", "1", "2"]
    m.fit(X, Y, epochs=1, verbose=0, callbacks=[mk.callbacks.CSVLogger(path)])
    assert len(path.read_text().splitlines()) == 2  # append=False overwrites


# ---- TensorBoard --------------------------------------------------------------------------------
def read_scalars(directory):
    """{tag: [(step, value)]} of the scalar summaries in every event file of ``directory``."""
    out = {}
    for path in sorted(glob.glob(os.path.join(directory, "events.out.tfevents.*"))):
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                if value.metadata.plugin_data.plugin_name == "scalars":
                    scalar = float(tf.make_ndarray(value.tensor))
                    out.setdefault(value.tag, []).append((event.step, scalar))
    return out


TRAIN_TAGS = {"epoch_loss", "epoch_accuracy", "epoch_learning_rate"}
VAL_TAGS = {"epoch_loss", "epoch_accuracy", "evaluation_loss_vs_iterations",
            "evaluation_accuracy_vs_iterations"}  # keras 3.15's tags (callbacks/tensorboard.py)


def test_tensorboard_writes_epoch_scalars(tmp_path):
    m = mk_model()
    history = m.fit(X, Y, epochs=3, batch_size=16, verbose=0, validation_split=0.25,
                    callbacks=[mk.callbacks.TensorBoard(log_dir=tmp_path)])
    train = read_scalars(tmp_path / "train")
    val = read_scalars(tmp_path / "validation")
    assert set(train) == TRAIN_TAGS and set(val) == VAL_TAGS
    for key in ("loss", "accuracy"):
        assert [s for s, _ in train[f"epoch_{key}"]] == [0, 1, 2]
        np.testing.assert_allclose([v for _, v in train[f"epoch_{key}"]],
                                   history.history[key], rtol=1e-6)
        np.testing.assert_allclose([v for _, v in val[f"epoch_{key}"]],
                                   history.history[f"val_{key}"], rtol=1e-6)
    np.testing.assert_allclose([v for _, v in train["epoch_learning_rate"]], [0.1] * 3, rtol=1e-6)
    # 48 training rows in batches of 16: 3 optimizer steps per epoch
    assert [s for s, _ in val["evaluation_loss_vs_iterations"]] == [3, 6, 9]
    np.testing.assert_allclose([v for _, v in val["evaluation_loss_vs_iterations"]],
                               history.history["val_loss"], rtol=1e-6)


def test_tensorboard_tags_match_keras(tmp_path):
    pytest.importorskip("tensorboard")  # keras's TensorBoard needs it (minikeras's does not)
    keras_model().fit(X, Y, epochs=2, batch_size=16, verbose=0, validation_split=0.25,
                      callbacks=[keras.callbacks.TensorBoard(log_dir=str(tmp_path))])
    assert set(read_scalars(tmp_path / "train")) == TRAIN_TAGS
    assert set(read_scalars(tmp_path / "validation")) == VAL_TAGS


def test_tensorboard_batch_frequency_and_histograms(tmp_path):
    m = mk_model()
    board = mk.callbacks.TensorBoard(log_dir=tmp_path, update_freq=2, histogram_freq=1,
                                     write_steps_per_second=True)
    assert board.needs_batch_hooks and not mk.callbacks.TensorBoard().needs_batch_hooks
    m.fit(X, Y, epochs=2, batch_size=16, verbose=0, callbacks=[board])  # 4 batches per epoch
    train = read_scalars(tmp_path / "train")
    assert [s for s, _ in train["batch_loss"]] == [2, 4, 6, 8]
    assert [s for s, _ in train["batch_steps_per_second"]] == [2, 4, 6, 8]
    assert [s for s, _ in train["epoch_steps_per_second"]] == [0, 1]
    histograms = {}
    for path in glob.glob(str(tmp_path / "train" / "events.out.tfevents.*")):
        for event in tf.compat.v1.train.summary_iterator(path):
            for v in event.summary.value:
                if v.metadata.plugin_data.plugin_name == "histograms":
                    histograms.setdefault(v.tag, []).append((event.step, tf.make_ndarray(v.tensor)))
    layer = m.layers[0].name
    assert set(histograms) == {f"{layer}/kernel/histogram", f"{layer}/bias/histogram"}
    kernel = histograms[f"{layer}/kernel/histogram"]
    assert [s for s, _ in kernel] == [0, 1]
    table = kernel[-1][1]  # rows (left, right, count) covering the final kernel's 2 values
    assert table.shape == (30, 3) and table[:, 2].sum() == 2
    w = m.get_weights()[0].ravel()
    assert table[0, 0] == pytest.approx(w.min()) and table[-1, 1] == pytest.approx(w.max())


def test_tensorboard_counts_steps_when_a_call_runs_several(tmp_path):
    m = mk_model()
    m.compile(optimizer=mk.optimizers.SGD(0.1), loss="binary_crossentropy",
              steps_per_execution=3)
    m.fit(X, Y, epochs=1, batch_size=8, verbose=0,  # 8 batches: calls end at 3, 6, 8
          callbacks=[mk.callbacks.TensorBoard(log_dir=tmp_path, update_freq=2)])
    assert [s for s, _ in read_scalars(tmp_path / "train")["batch_loss"]] == [3, 6, 8]


def test_tensorboard_refuses_bad_options():
    for kwargs in ({"update_freq": 0}, {"update_freq": "sometimes"}, {"profile_batch": -1},
                   {"profile_batch": (3, 1)}, {"profile_batch": "a"},
                   {"embeddings_metadata": 5}, {"embeddings_freq": -1}):
        with pytest.raises(ValueError):
            mk.callbacks.TensorBoard(**kwargs)


# ---- LambdaCallback ---------------------------------------------------------------------------
def test_lambda_calls_the_given_functions():
    calls = []
    cb = mk.callbacks.LambdaCallback(
        on_train_begin=lambda logs: calls.append("train_begin"),
        on_epoch_begin=lambda epoch, logs: calls.append(("epoch_begin", epoch)),
        on_epoch_end=lambda epoch, logs: calls.append(("epoch_end", epoch, sorted(logs))),
        on_train_end=lambda logs: calls.append(("train_end", sorted(logs))),
        on_test_end=lambda logs: calls.append("test_end"))
    assert not cb.needs_batch_hooks
    mk_model().fit(X, Y, epochs=2, verbose=0, validation_split=0.25, callbacks=[cb])
    keys = ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert calls == ["train_begin", ("epoch_begin", 0), "test_end", ("epoch_end", 0, keys),
                     ("epoch_begin", 1), "test_end", ("epoch_end", 1, keys), ("train_end", keys)]


def test_lambda_batch_hooks_run_every_batch():
    batches = []
    cb = mk.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: batches.append((batch, "loss" in logs)))
    assert cb.needs_batch_hooks
    mk_model().fit(X, Y, epochs=1, batch_size=16, verbose=0, callbacks=[cb])
    assert batches == [(0, True), (1, True), (2, True), (3, True)]


def test_lambda_rejects_unknown_hooks_and_non_functions():
    with pytest.raises(TypeError, match="on_epoch_finish"):
        mk.callbacks.LambdaCallback(on_epoch_finish=print)
    with pytest.raises(TypeError, match="on_epoch_end"):
        mk.callbacks.LambdaCallback(on_epoch_end="print")


# ---- TerminateOnNaN ---------------------------------------------------------------------------
def diverging_model():
    return mk_model(lr=1e4, loss="mse", activation=None)


def test_terminate_on_nan_stops_a_diverging_fit(capsys):
    target = np.full(64, 1e6, np.float32)
    history = diverging_model().fit(X, target, epochs=20, batch_size=8, verbose=0,
                                    callbacks=[mk.callbacks.TerminateOnNaN()])
    losses = history.history["loss"]
    assert len(losses) < 20 and not np.isfinite(losses[-1]) and np.isfinite(losses[:-1]).all()
    assert "Invalid loss, terminating training" in capsys.readouterr().out
    # without the callback the same fit runs to the end
    assert len(diverging_model().fit(X, target, epochs=20, batch_size=8,
                                     verbose=0).history["loss"]) == 20


def test_terminate_on_nan_does_not_force_one_step_per_call():
    assert mk.callbacks.TerminateOnNaN().needs_batch_hooks is False
    assert not mk.callbacks.CallbackList([mk.callbacks.TerminateOnNaN()], None,
                                         {}).needs_batch_hooks


def test_terminate_on_nan_can_raise():
    with pytest.raises(RuntimeError, match="NaN or Inf loss"):
        diverging_model().fit(X, np.full(64, 1e6, np.float32), epochs=20, batch_size=8,
                              verbose=0, callbacks=[mk.callbacks.TerminateOnNaN(raise_error=True)])


def test_terminate_on_nan_raising_skips_on_train_end_and_keeps_the_backup(tmp_path):
    # keras's terminate_on_nan_test feeds inf targets, which minikeras refuses up front (README,
    # "Bad input"); a diverging model reaches the same NaN loss.
    ended, backup_dir = [], str(tmp_path / "backup")
    with pytest.raises(RuntimeError, match="NaN or Inf loss encountered at batch"):
        diverging_model().fit(X, np.full(64, 1e6, np.float32), epochs=20, batch_size=8,
                              verbose=0, callbacks=[
                                  mk.callbacks.BackupAndRestore(backup_dir),
                                  mk.callbacks.LambdaCallback(on_train_end=ended.append),
                                  mk.callbacks.TerminateOnNaN(raise_error=True)])
    assert ended == [] and os.listdir(backup_dir)


def test_terminate_on_nan_stops_within_the_epoch_with_one_step_per_call():
    m = diverging_model()
    m.compile(optimizer=mk.optimizers.SGD(1e4), loss="mse", steps_per_execution=1)
    batches = []
    m.fit(X, np.full(64, 1e6, np.float32), epochs=1, batch_size=2, verbose=0,
          callbacks=[mk.callbacks.TerminateOnNaN(), mk.callbacks.LambdaCallback(
              on_train_batch_end=lambda batch, logs: batches.append(logs["loss"]))])
    assert not np.isfinite(batches[-1]) and np.isfinite(batches[:-1]).all()


def test_epoch_level_callbacks_leave_the_fit_loop_free():
    """None of these asks for per-batch calls, so steps_per_execution="auto" stays fast."""
    callbacks = [mk.callbacks.EarlyStopping(), mk.callbacks.ReduceLROnPlateau(),
                 mk.callbacks.LearningRateScheduler(lambda e, lr: lr),
                 mk.callbacks.TerminateOnNaN(), mk.callbacks.CSVLogger("unused.csv"),
                 mk.callbacks.TensorBoard(), mk.callbacks.ModelCheckpoint("unused.x"),
                 mk.callbacks.LambdaCallback(on_epoch_end=print)]
    assert [cb.needs_batch_hooks for cb in callbacks] == [False] * len(callbacks)


def test_lambda_stores_other_keyword_arguments_and_callback_list_takes_keras_arguments():
    def custom(logs):
        return logs

    assert mk.callbacks.LambdaCallback(custom_method=custom).custom_method is custom
    seen = []
    cb = mk.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(logs))
    cbs = mk.callbacks.CallbackList([cb], model=None, epochs=1, steps=100, verbose=0)
    assert cb.params == {"epochs": 1, "steps": 100, "verbose": 0}
    cbs.on_epoch_end(0)
    assert seen == [{}]  # logs is never None (keras)
    with_history = mk.callbacks.CallbackList(add_history=True, add_progbar=True, model=None)
    assert [type(c).__name__ for c in with_history.callbacks] == ["History", "ProgbarLogger"]
