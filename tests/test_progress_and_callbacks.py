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


def test_auto_verbose_is_2_when_not_interactive():
    assert resolve_verbose("auto") == 2  # pytest captures stdout: not a terminal
    assert resolve_verbose(1) == 1
    with pytest.raises(ValueError, match="verbose"):
        resolve_verbose("loud")


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
