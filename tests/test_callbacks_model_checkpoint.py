"""ModelCheckpoint: which epochs (or batches) are saved, the formatted names, and that each file
holds the weights of its epoch; saving decisions and names against keras."""
import os

import keras
import numpy as np
import pytest

import minikeras as mk

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

X = np.random.default_rng(0).normal(size=(64, 2)).astype(np.float32)
Y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(np.float32)


def mk_model():
    m = mk.Sequential([mk.Input(shape=(2,)), mk.layers.Dense(1, activation="sigmoid")])
    m.compile(optimizer=mk.optimizers.SGD(0.1), loss="binary_crossentropy", metrics=["accuracy"])
    return m


def keras_model():
    m = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1, activation="sigmoid")])
    m.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy",
              metrics=["accuracy"])
    return m


def fit_with(checkpoint, scores=None, epochs=4, model=None, **fit_kwargs):
    """A real fit; ``scores`` (optional) are injected as logs["score"]. Returns the model, the
    history and the weights at the end of every epoch."""
    m = model or mk_model()
    snapshots = []

    def record(epoch, logs):
        if scores is not None:
            logs["score"] = scores[epoch]
        snapshots.append(m.get_weights())

    history = m.fit(X, Y, epochs=epochs, batch_size=16, verbose=0, **fit_kwargs,
                    callbacks=[mk.callbacks.LambdaCallback(on_epoch_end=record), checkpoint])
    return m, history, snapshots


def assert_weights_equal(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def test_saves_every_epoch_with_formatted_names(tmp_path):
    pattern = str(tmp_path / "ckpt" / "model-{epoch:02d}-{val_loss:.3f}.minikeras")
    _, history, snapshots = fit_with(mk.callbacks.ModelCheckpoint(pattern), epochs=3,
                                     validation_split=0.25)
    expected = [f"model-{e + 1:02d}-{v:.3f}.minikeras"
                for e, v in enumerate(history.history["val_loss"])]
    assert sorted(os.listdir(tmp_path / "ckpt")) == expected  # the directory was created
    for name, weights in zip(expected, snapshots):
        loaded = mk.models.load_model(str(tmp_path / "ckpt" / name))
        assert_weights_equal(loaded.get_weights(), weights)


def test_save_best_only_saves_improving_epochs(tmp_path):
    scores = [0.9, 0.5, 0.7, 0.4, 0.4, 0.6]
    pattern = str(tmp_path / "e{epoch}.minikeras")
    fit_with(mk.callbacks.ModelCheckpoint(pattern, monitor="score", mode="min",
                                          save_best_only=True), scores, epochs=6)
    assert sorted(os.listdir(tmp_path)) == ["e1.minikeras", "e2.minikeras", "e4.minikeras"]


def test_save_best_only_to_one_file_keeps_the_best_weights(tmp_path):
    scores = [0.9, 0.5, 0.7, 0.4, 0.8]
    path = str(tmp_path / "best.weights.minikeras")
    checkpoint = mk.callbacks.ModelCheckpoint(path, monitor="score", mode="min",
                                              save_best_only=True, save_weights_only=True)
    _, _, snapshots = fit_with(checkpoint, scores, epochs=5)
    fresh = mk_model()
    fresh.build((None, 2))
    fresh.load_weights(path)
    assert_weights_equal(fresh.get_weights(), snapshots[3])
    assert checkpoint.best == 0.4


def test_initial_value_threshold_and_missing_monitor(tmp_path):
    scores = [0.9, 0.5, 0.7, 0.4]
    fit_with(mk.callbacks.ModelCheckpoint(str(tmp_path / "a{epoch}.minikeras"), monitor="score",
                                          mode="min", save_best_only=True,
                                          initial_value_threshold=0.6), scores)
    assert sorted(os.listdir(tmp_path)) == ["a2.minikeras", "a4.minikeras"]
    with pytest.warns(UserWarning, match="Can save best model only with val_loss"):
        fit_with(mk.callbacks.ModelCheckpoint(str(tmp_path / "b{epoch}.minikeras"),
                                              save_best_only=True), epochs=2)
    assert {"b1.minikeras", "b2.minikeras"} <= set(os.listdir(tmp_path))


class Recording(mk.Sequential):
    """Records save calls instead of writing (to compare decisions and names with keras)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.saved = []

    def save(self, filepath):
        self.saved.append(os.path.basename(filepath))


def drive(checkpoint, model, epochs_logs):
    checkpoint.set_model(model)
    checkpoint.on_train_begin()
    for epoch, logs in enumerate(epochs_logs):
        checkpoint.on_epoch_begin(epoch)
        checkpoint.on_epoch_end(epoch, dict(logs))
    checkpoint.on_train_end()


@pytest.mark.parametrize("kwargs", [
    {"save_best_only": True},
    {"save_best_only": True, "monitor": "val_accuracy", "mode": "max"},
    {"save_best_only": True, "monitor": "val_accuracy"},  # auto: accuracy is maximized
    {"save_best_only": True, "initial_value_threshold": 0.55},
    {},
])
def test_saved_epochs_and_names_match_keras(tmp_path, kwargs):
    val_loss = [0.7, 0.6, 0.65, 0.5, 0.5, 0.55]
    val_accuracy = [0.5, 0.625, 0.6, 0.75, 0.7, 0.75]
    epochs_logs = [{"loss": 1.0, "val_loss": l, "val_accuracy": a}
                   for l, a in zip(val_loss, val_accuracy)]
    pattern = "m{epoch:02d}-{val_loss:.2f}-{val_accuracy:.3f}.keras"
    ours = Recording([mk.Input(shape=(2,)), mk.layers.Dense(1, activation="sigmoid")])
    ours.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    ours.fit(X, Y, epochs=1, verbose=0)  # builds the compiled metrics that mode "auto" reads
    drive(mk.callbacks.ModelCheckpoint(str(tmp_path / "ours" / pattern), **kwargs), ours,
          epochs_logs)
    ref = keras_model()
    ref.fit(X, Y, epochs=1, verbose=0)
    drive(keras.callbacks.ModelCheckpoint(str(tmp_path / "ref" / pattern), **kwargs), ref,
          epochs_logs)
    assert ours.saved == sorted(os.listdir(tmp_path / "ref"))
    assert ours.saved  # something was saved


def test_batch_save_freq_matches_keras(tmp_path):
    # 64 rows in batches of 16: 4 batches per epoch; every 3 batches -> epoch 1 batch 3,
    # epoch 2 batch 2 (the count runs on across epochs).
    checkpoint = mk.callbacks.ModelCheckpoint(str(tmp_path / "ours" / "e{epoch}-b{batch}.x"),
                                              save_freq=3)
    assert checkpoint.needs_batch_hooks
    fit_with(checkpoint, epochs=2, shuffle=False)
    keras_model().fit(X, Y, epochs=2, batch_size=16, verbose=0, shuffle=False, callbacks=[
        keras.callbacks.ModelCheckpoint(str(tmp_path / "ref" / "e{epoch}-b{batch}.keras"),
                                        save_freq=3)])
    ours = sorted(os.listdir(tmp_path / "ours"))
    assert ours == ["e1-b3.x", "e2-b2.x"]
    assert [n.replace(".x", ".keras") for n in ours] == sorted(os.listdir(tmp_path / "ref"))


def test_batch_save_freq_with_several_steps_per_call(tmp_path):
    m = mk_model()
    m.compile(optimizer=mk.optimizers.SGD(0.1), loss="binary_crossentropy",
              steps_per_execution=4)
    fit_with(mk.callbacks.ModelCheckpoint(str(tmp_path / "e{epoch}-b{batch}.x"), save_freq=6),
             epochs=4, model=m)
    # one call per epoch (4 steps): 4, then 8 >= 6 -> save at epoch 2's end and count from 0
    # again (as keras), so the next save is at epoch 4's end.
    assert sorted(os.listdir(tmp_path)) == ["e2-b4.x", "e4-b4.x"]


def test_errors(tmp_path):
    with pytest.raises(ValueError, match="save_freq"):
        mk.callbacks.ModelCheckpoint("m.x", save_freq="batch")
    with pytest.raises(KeyError, match="val_auc"):
        fit_with(mk.callbacks.ModelCheckpoint(str(tmp_path / "{val_auc}.x")), epochs=1)
    (tmp_path / "dir1").mkdir()
    with pytest.raises(IsADirectoryError, match="non-directory"):
        fit_with(mk.callbacks.ModelCheckpoint(str(tmp_path / "dir{epoch}")), epochs=1)
    checkpoint = mk.callbacks.ModelCheckpoint("m.x")
    checkpoint.set_model(object())
    with pytest.raises(TypeError, match="model.save"):
        checkpoint.on_train_begin()


def test_an_unsaveable_model_fails_before_training(tmp_path):
    model = mk_model()
    model.compile(optimizer=mk.optimizers.SGD(learning_rate=lambda step: 0.1), loss="mse")
    before = model.get_weights()
    with pytest.raises(ValueError, match="cannot be saved whole.*plain callable"):
        model.fit(X, Y, epochs=2, verbose=0,
                  callbacks=[mk.callbacks.ModelCheckpoint(str(tmp_path / "m.minikeras"))])
    assert model.optimizer.iterations.numpy() == 0  # nothing trained
    assert_weights_equal(model.get_weights(), before)
    model.fit(X, Y, epochs=1, verbose=0, callbacks=[mk.callbacks.ModelCheckpoint(
        str(tmp_path / "w.minikeras"), save_weights_only=True)])  # weights alone are fine
    assert (tmp_path / "w.minikeras").exists()
