"""fit options: class_weight, sample_weight, validation_freq, initial_epoch, and Ctrl-C."""
import signal

import keras
import numpy as np
import pytest

import minikeras as mk
from minikeras import layers

rng = np.random.default_rng(1)
X = rng.normal(size=(45, 3)).astype(np.float32)
Y3 = np.digitize(X[:, 0] + X[:, 2], [-0.5, 0.5])


def pair(units=3, activation="softmax"):
    ref = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"),
                            keras.layers.Dense(units, activation=activation)])
    ours = mk.Sequential([mk.Input(shape=(3,)), layers.Dense(4, activation="relu"),
                          layers.Dense(units, activation=activation)])
    ours.set_weights(ref.get_weights())
    for m, lib in ((ref, keras), (ours, mk)):
        m.compile(optimizer=lib.optimizers.SGD(0.05, momentum=0.9), metrics=["accuracy"],
                  loss="sparse_categorical_crossentropy" if units > 1 else "binary_crossentropy",
                  **({"weighted_metrics": ["accuracy"]} if lib is mk else {}))
    ref.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9), metrics=["accuracy"],
                weighted_metrics=["accuracy"],
                loss="sparse_categorical_crossentropy" if units > 1 else "binary_crossentropy")
    return ref, ours


def check(ref, ours, **kw):
    kw = {"batch_size": 8, "epochs": 3, "shuffle": False, "verbose": 0, **kw}
    h_ref, h_ours = ref.fit(X, **kw).history, ours.fit(X, **kw).history
    assert sorted(h_ours) == sorted(h_ref)
    for key in h_ref:
        np.testing.assert_allclose(h_ours[key], h_ref[key], rtol=1e-5, atol=1e-6, err_msg=key)
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    return h_ours


def test_class_weight_matches_keras_sparse_and_one_hot():
    cw = {0: 2.0, 1: 0.5, 2: 1.5}
    check(*pair(), y=Y3, class_weight=cw)
    ref, ours = pair()
    for m in (ref, ours):
        m.compile(optimizer=m.optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
    check(ref, ours, y=np.eye(3, dtype=np.float32)[Y3], class_weight=cw)


def test_class_weight_leaves_the_validation_split_unweighted_as_keras():
    h = check(*pair(), y=Y3, class_weight={0: 4.0, 1: 0.25, 2: 1.0}, validation_split=0.3)
    assert "val_loss" in h


def test_class_weight_binary_matches_keras():
    yb = (X[:, 0] > 0).astype(np.float32)
    check(*pair(1, "sigmoid"), y=yb, class_weight={0: 3.0, 1: 1.0})


def test_weighted_metrics_and_evaluate_sample_weight_match_keras():
    w = rng.uniform(0.1, 3, len(X)).astype(np.float32)
    ref, ours = pair()
    h = check(ref, ours, y=Y3, sample_weight=w)
    assert "weighted_accuracy" in h and "accuracy" in h
    # (keras's list form repeats an entry when weighted_metrics are used; compare the dicts)
    got = ours.evaluate(X, Y3, sample_weight=w, verbose=0, return_dict=True)
    want = ref.evaluate(X, Y3, sample_weight=w, verbose=0, return_dict=True)
    assert sorted(got) == sorted(want)
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-5, err_msg=key)


def test_validation_freq_matches_keras():
    h = check(*pair(), y=Y3, epochs=4, validation_split=0.2, validation_freq=2)
    assert len(h["val_loss"]) == 2 and len(h["loss"]) == 4


def test_class_weight_errors_and_no_state_change():
    _, ours = pair()
    before = ours.get_weights()
    with pytest.raises(ValueError, match=r"no weight for class\(es\) \[2\]"):
        ours.fit(X, Y3, class_weight={0: 1.0, 1: 1.0}, verbose=0)
    with pytest.raises(ValueError, match="sample_weight"):
        ours.fit(X, Y3, class_weight={0: 1.0, 1: 1.0, 2: 1.0}, sample_weight=np.ones(45),
                 verbose=0)
    with pytest.raises(TypeError, match="class_weight"):
        ours.fit(X, Y3, class_weight=[1.0, 2.0, 3.0], verbose=0)
    with pytest.raises(ValueError, match="non-negative"):
        ours.fit(X, Y3, class_weight={0: -1.0, 1: 1.0, 2: 1.0}, verbose=0)
    for a, b in zip(ours.get_weights(), before):
        np.testing.assert_array_equal(a, b)


class Interrupter(mk.callbacks.Callback):
    """Sends SIGINT (what Ctrl-C sends) to this process in the middle of epoch 2."""

    def __init__(self):
        super().__init__()
        self.ended = False

    def on_train_batch_end(self, batch, logs=None):
        if len(self.model.history.epoch) == 1 and batch == 2:
            signal.raise_signal(signal.SIGINT)

    def on_train_end(self, logs=None):
        self.ended = True


class ValidationInterrupter(mk.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.epochs_ended, self.train_batches = [], 0

    def on_train_batch_end(self, batch, logs=None):
        self.train_batches += 1

    def on_test_batch_end(self, batch, logs=None):
        if batch == 0 and len(self.model.history.epoch) == 1:
            signal.raise_signal(signal.SIGINT)

    def on_epoch_end(self, epoch, logs=None):
        self.epochs_ended.append(epoch)


def test_ctrl_c_during_validation_keeps_partial_validation_out_of_history():
    _, ours = pair()
    stopper = ValidationInterrupter()
    with pytest.warns(UserWarning, match=r"interrupted \(Ctrl-C\) during the validation of "
                                         r"epoch 2"):
        history = ours.fit(X, Y3, batch_size=8, epochs=5, shuffle=False, verbose=0,
                           validation_data=(X, Y3), callbacks=[stopper])
    assert history.epoch == [0] and stopper.epochs_ended == [0]  # no epoch end on partial logs
    assert stopper.train_batches == 12  # two whole epochs, no step of a third
    assert int(ours.optimizer.iterations.numpy()) == 12


def test_ctrl_c_stops_cleanly_and_returns_history():
    before = signal.getsignal(signal.SIGINT)
    assert before is signal.default_int_handler  # as pytest leaves it
    _, ours = pair()
    start = ours.get_weights()
    stopper = Interrupter()
    with pytest.warns(UserWarning, match=r"interrupted \(Ctrl-C\) in epoch 2 after 3 step"):
        history = ours.fit(X, Y3, batch_size=8, epochs=5, shuffle=False, verbose=0,
                           callbacks=[stopper])
    assert stopper.ended and history.epoch == [0] and len(history.history["loss"]) == 1
    steps = int(ours.optimizer.iterations.numpy())
    assert steps == 6 + 3  # one full epoch of 6 batches, then 3 batches of epoch 2
    # The weights are exactly those of a run of that many whole steps: nothing half-updated.
    _, again = pair()
    again.set_weights(start)
    again.fit(X, Y3, batch_size=8, epochs=1, shuffle=False, verbose=0)
    again.fit(X[:24], Y3[:24], batch_size=8, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(ours.get_weights(), again.get_weights()):
        np.testing.assert_array_equal(a, b)
    # The handler is gone after fit: Ctrl-C raises KeyboardInterrupt again. (raise_signal
    # delivers to this thread and runs the handler at once; os.kill may land on one of
    # TensorFlow's threads and be handled only later.)
    assert signal.getsignal(signal.SIGINT) is before
    with pytest.raises(KeyboardInterrupt):
        signal.raise_signal(signal.SIGINT)


def test_image_targets_train_as_keras_and_take_per_sample_weights():
    """Per-pixel losses ((n, h, w) from targets (n, h, w, c)), as an autoencoder trains; a
    per-sample weight scales each sample's pixels (keras's fit fails to broadcast that)."""
    images = rng.normal(size=(16, 6, 6, 1)).astype(np.float32)
    models = []
    for lib in (keras, mk):
        model = lib.Sequential([lib.Input((6, 6, 1)),
                                lib.layers.Conv2D(2, 3, padding="same", activation="tanh"),
                                lib.layers.Conv2D(1, 1)])
        model.compile(optimizer=lib.optimizers.SGD(0.1), loss="mse")
        models.append(model)
    models[1].set_weights(models[0].get_weights())
    start = models[1].get_weights()
    histories = [m.fit(images, images, batch_size=8, epochs=2, shuffle=False,
                       verbose=0).history["loss"] for m in models]
    np.testing.assert_allclose(histories[1], histories[0], rtol=1e-5)
    for ours, theirs in zip(models[1].get_weights(), models[0].get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    weighted = mk.models.clone_model(models[1])
    weighted.set_weights(start)
    weighted.compile(optimizer=mk.optimizers.SGD(0.1), loss="mse")
    doubled = weighted.evaluate(images, images, sample_weight=np.full(16, 2.0, np.float32),
                                verbose=0)
    plain = weighted.evaluate(images, images, verbose=0)
    np.testing.assert_allclose(doubled, 2 * plain, rtol=1e-6)
