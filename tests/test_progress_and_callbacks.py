"""Progress output (verbose 0/1/2), History, the Callback hooks, and seeded construction."""
import keras
import numpy as np
import pytest

import minikeras as mk
from minikeras import layers
from minikeras.callbacks.progbar import resolve_verbose

X = np.random.default_rng(0).normal(size=(50, 2)).astype(np.float32)
Y = (X[:, 0] > 0).astype(np.float32)


def model():
    m = mk.Sequential([mk.Input(shape=(2,)), layers.Dense(1, activation="sigmoid")])
    m.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    return m


def test_verbose_2_prints_one_line_per_epoch(capsys):
    model().fit(X, Y, epochs=3, verbose=2, validation_split=0.2)
    lines = [l for l in capsys.readouterr().out.splitlines() if l.strip()]
    assert len(lines) == 3
    assert lines[0].startswith("Epoch 1/3") and "loss:" in lines[0] and "val_accuracy:" in lines[0]


def test_verbose_0_is_silent(capsys):
    m = model()
    m.fit(X, Y, epochs=2, verbose=0)
    m.evaluate(X, Y, verbose=0)
    m.predict(X, batch_size=8, verbose=0)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_verbose_1_draws_a_bar_with_steps_and_metrics(capsys):
    model().fit(X, Y, epochs=2, batch_size=10, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out and "5/5" in out and "accuracy" in out


def test_auto_verbose_is_2_when_not_interactive(monkeypatch):
    from minikeras.callbacks import progbar
    monkeypatch.setattr(progbar, "is_interactive", lambda: False)
    assert resolve_verbose("auto") == 2
    monkeypatch.setattr(progbar, "is_interactive", lambda: True)
    assert resolve_verbose("auto") == 1
    assert resolve_verbose(1) == 1
    with pytest.raises(ValueError, match="verbose"):
        resolve_verbose("loud")


def test_evaluate_and_predict_with_verbose_2_print_one_line(capsys):
    m = model()
    loss, acc = m.evaluate(X, Y, batch_size=10, verbose=2)
    m.predict(X, batch_size=10, verbose=2)
    m.predict(X[:3], verbose=2)  # the eager path for one batch reports too
    lines = [l for l in capsys.readouterr().out.splitlines() if l.strip()]
    assert len(lines) == 3
    assert lines[0].startswith("5/5 - ") and f"loss: {loss:.4f}" in lines[0]
    assert lines[1].startswith("5/5 - ") and lines[2].startswith("1/1 - ")


def batch_counter(base):
    """A callback of ``base`` that overrides keras's older hook names only."""
    class BatchCounter(base):
        def __init__(self):
            super().__init__()
            self.begins = self.ends = 0

        def on_batch_begin(self, batch, logs=None):
            self.begins += 1

        def on_batch_end(self, batch, logs=None):
            self.ends += 1
    return BatchCounter()


def test_on_batch_hooks_are_called_for_training_batches_as_keras_calls_them():
    ours, theirs = batch_counter(mk.callbacks.Callback), batch_counter(keras.callbacks.Callback)
    assert ours.needs_batch_hooks
    model().fit(X, Y, epochs=2, batch_size=16, verbose=0, callbacks=[ours])
    k = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1, activation="sigmoid")])
    k.compile(optimizer="sgd", loss="binary_crossentropy")
    k.fit(X, Y, epochs=2, batch_size=16, verbose=0, callbacks=[theirs])
    assert (ours.begins, ours.ends) == (theirs.begins, theirs.ends) == (8, 8)
    seen = []
    model().fit(X, Y, epochs=1, batch_size=16, verbose=0, callbacks=[
        mk.callbacks.LambdaCallback(on_batch_end=lambda batch, logs: seen.append(batch))])
    assert seen == [0, 1, 2, 3]


class Recorder(mk.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.calls = []

    def on_train_begin(self, logs=None):
        self.calls.append(("train_begin", self.params["epochs"], self.params["steps"]))

    def on_epoch_begin(self, epoch, logs=None):
        self.calls.append(("epoch_begin", epoch))

    def on_epoch_end(self, epoch, logs=None):
        self.calls.append(("epoch_end", epoch, sorted(logs)))
        if epoch == 1:
            self.model.stop_training = True

    def on_train_end(self, logs=None):
        self.calls.append(("train_end",))


def test_hooks_order_logs_and_stop_training():
    rec = Recorder()
    m = model()
    history = m.fit(X, Y, epochs=5, batch_size=25, verbose=0, callbacks=[rec],
                    validation_data=(X[:10], Y[:10]))
    keys = ["accuracy", "loss", "val_accuracy", "val_loss"]
    assert rec.calls == [("train_begin", 5, 2), ("epoch_begin", 0), ("epoch_end", 0, keys),
                         ("epoch_begin", 1), ("epoch_end", 1, keys), ("train_end",)]
    assert rec.model is m and history.epoch == [0, 1] and len(history.history["loss"]) == 2
    assert m.history is history


def test_initial_epoch_counts_in_history():
    history = model().fit(X, Y, epochs=4, initial_epoch=2, verbose=0)
    assert history.epoch == [2, 3]


def test_same_global_seed_gives_keras_initial_weights():
    """Unseeded initializers draw from Python's random as keras's do."""
    keras.utils.set_random_seed(42)
    ref = keras.Sequential([keras.Input((2,)), keras.layers.Dense(8, activation="tanh"),
                            keras.layers.Dense(1, activation="sigmoid")])
    mk.utils.set_random_seed(42)
    ours = mk.Sequential([mk.Input(shape=(2,)), layers.Dense(8, activation="tanh"),
                          layers.Dense(1, activation="sigmoid")])
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_array_equal(a, b)
