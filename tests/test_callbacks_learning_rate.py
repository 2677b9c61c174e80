"""ReduceLROnPlateau and LearningRateScheduler: the epochs at which the rate changes (against
keras on scripted logs), cooldown and min_lr, learning_rate in History, whole fits against
keras, no retracing, and a clear error for optimizers built with a schedule."""
import keras
import numpy as np
import pytest

import minikeras as mk

# keras's own convert_to_numpy of its variables warns under NumPy 2; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

X = np.random.default_rng(0).normal(size=(64, 2)).astype(np.float32)
Y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(np.float32)


def mk_model(lr=0.1, optimizer=None):
    m = mk.Sequential([mk.Input(shape=(2,)), mk.layers.Dense(1, activation="sigmoid")])
    m.compile(optimizer=optimizer or mk.optimizers.SGD(lr), loss="binary_crossentropy",
              metrics=["accuracy"])
    return m


def keras_model(lr=0.1):
    m = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1, activation="sigmoid")])
    m.compile(optimizer=keras.optimizers.SGD(lr), loss="binary_crossentropy",
              metrics=["accuracy"])
    return m


def drive_reduce(callback, model, values, monitor="val_loss"):
    """Scripted epoch logs; returns the learning rate after every epoch and the logs."""
    callback.set_model(model)
    callback.on_train_begin()
    rates, all_logs = [], []
    for epoch, value in enumerate(values):
        logs = {monitor: float(value)}
        callback.on_epoch_end(epoch, logs)
        rates.append(float(np.asarray(model.optimizer.learning_rate)))
        all_logs.append(logs)
    return rates, all_logs


# ---- ReduceLROnPlateau --------------------------------------------------------------------------
def test_reduces_after_patience_with_cooldown_and_min_lr_by_hand():
    values = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.6, 0.6]
    cb = mk.callbacks.ReduceLROnPlateau(factor=0.5, patience=2, cooldown=1, min_lr=0.03)
    rates, logs = drive_reduce(cb, mk_model(0.1), values)
    # epoch 2: 2 epochs without improvement -> 0.05. The cooldown counter is decremented
    # before the check (as keras), so cooldown=1 ends at epoch 3, which already counts:
    # epoch 4 -> max(0.025, min_lr) = 0.03. At the floor nothing changes any more.
    expected = [0.1, 0.1, 0.05, 0.05, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03]
    np.testing.assert_allclose(rates, expected, rtol=1e-6)
    # logs carry the rate in use during the epoch (read before any reduction)
    np.testing.assert_allclose([l["learning_rate"] for l in logs], [0.1] + expected[:-1],
                               rtol=1e-6)


def reduce_parity(values, monitor="val_loss", **kwargs):
    ours, ours_logs = drive_reduce(mk.callbacks.ReduceLROnPlateau(monitor=monitor, **kwargs),
                                   mk_model(0.1), values, monitor)
    ref, ref_logs = drive_reduce(keras.callbacks.ReduceLROnPlateau(monitor=monitor, **kwargs),
                                 keras_model(0.1), values, monitor)
    np.testing.assert_allclose(ours, ref, rtol=1e-6, err_msg=f"{values} {kwargs}")
    np.testing.assert_allclose([l["learning_rate"] for l in ours_logs],
                               [l["learning_rate"] for l in ref_logs], rtol=1e-6)


def test_parity_with_keras_on_scripted_logs():
    reduce_parity([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5, 0.6, 0.6],
                  factor=0.5, patience=2, cooldown=1, min_lr=0.03)
    reduce_parity([0.5, 0.6, 0.7, 0.8, 0.9, 0.4, 0.3], monitor="val_accuracy", mode="max",
                  factor=0.2, patience=1)
    reduce_parity([1.0, 0.99995, 0.9999, 0.9998, 0.9999, 1.0], patience=1)  # min_delta 1e-4


def test_parity_with_keras_on_random_sequences():
    rng = np.random.default_rng(3)
    for _ in range(40):
        values = rng.integers(0, 5, size=14) / 4.0
        reduce_parity(values, factor=float(rng.choice([0.1, 0.5])),
                      patience=int(rng.integers(0, 4)), cooldown=int(rng.integers(0, 3)),
                      min_lr=float(rng.choice([0.0, 0.01])), mode=str(rng.choice(["min", "max"])),
                      min_delta=float(rng.choice([0.0, 0.3])))


def test_real_fit_records_learning_rate_and_never_retraces():
    scores = [1.0, 0.8, 0.9, 0.9, 0.9, 0.9, 0.9]
    m = mk_model(0.1)
    inject = mk.callbacks.LambdaCallback(
        on_epoch_end=lambda epoch, logs: logs.update(score=scores[epoch]))
    reduce = mk.callbacks.ReduceLROnPlateau(monitor="score", mode="min", factor=0.5, patience=2)
    history = m.fit(X, Y, epochs=7, batch_size=16, verbose=0, callbacks=[inject, reduce])
    np.testing.assert_allclose(history.history["learning_rate"],
                               [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.025], rtol=1e-6)
    np.testing.assert_allclose(float(m.optimizer.learning_rate.numpy()), 0.025, rtol=1e-6)
    assert max(m.trace_counts.values()) == 1


def test_missing_monitor_warns_but_still_logs_the_rate():
    cb = mk.callbacks.ReduceLROnPlateau(monitor="val_loss", patience=0)
    with pytest.warns(UserWarning, match="val_loss.*not available"):
        rates, logs = drive_reduce(cb, mk_model(0.1), [1.0, 2.0], monitor="loss")
    np.testing.assert_allclose(rates, [0.1, 0.1], rtol=1e-6)
    assert "learning_rate" in logs[0]


def test_reduce_argument_checks():
    with pytest.raises(ValueError, match="factor >= 1.0"):
        mk.callbacks.ReduceLROnPlateau(factor=1.0)
    with pytest.raises(ValueError, match="min_lr"):
        mk.callbacks.ReduceLROnPlateau(min_lr=-1)
    with pytest.raises(ValueError, match="cooldown"):
        mk.callbacks.ReduceLROnPlateau(cooldown=-1)


# ---- LearningRateScheduler ----------------------------------------------------------------------
def halve(epoch, lr):
    return lr if epoch == 0 else lr * 0.5


def test_scheduler_fit_matches_keras():
    mk.utils.set_random_seed(7)
    m = mk_model(0.4)
    history = m.fit(X, Y, epochs=4, batch_size=16, shuffle=False, verbose=0,
                    callbacks=[mk.callbacks.LearningRateScheduler(halve)])
    keras.utils.set_random_seed(7)
    k = keras_model(0.4)
    ref = k.fit(X, Y, epochs=4, batch_size=16, shuffle=False, verbose=0,
                callbacks=[keras.callbacks.LearningRateScheduler(halve)])
    np.testing.assert_allclose(history.history["learning_rate"], [0.4, 0.2, 0.1, 0.05],
                               rtol=1e-6)
    for key in ("learning_rate", "loss", "accuracy"):
        np.testing.assert_allclose(history.history[key], ref.history[key], rtol=1e-5,
                                   atol=1e-6, err_msg=key)
    for ours, theirs in zip(m.get_weights(), k.get_weights()):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    assert max(m.trace_counts.values()) == 1


def test_scheduler_gets_absolute_epochs_and_accepts_one_argument_schedules():
    seen = []

    def by_epoch(epoch):
        seen.append(epoch)
        return 0.01 * (epoch + 1)

    m = mk_model(0.1)
    history = m.fit(X, Y, epochs=4, initial_epoch=2, verbose=0,
                    callbacks=[mk.callbacks.LearningRateScheduler(by_epoch)])
    assert seen == [2, 3]
    np.testing.assert_allclose(history.history["learning_rate"], [0.03, 0.04], rtol=1e-6)


def test_scheduler_rejects_bad_outputs_before_changing_the_rate():
    m = mk_model(0.1)
    with pytest.raises(ValueError, match="should be a float"):
        m.fit(X, Y, epochs=1, verbose=0,
              callbacks=[mk.callbacks.LearningRateScheduler(lambda e, lr: "fast")])
    with pytest.raises(ValueError, match="learning_rate"):
        m.fit(X, Y, epochs=1, verbose=0,
              callbacks=[mk.callbacks.LearningRateScheduler(lambda e, lr: -1.0)])
    np.testing.assert_allclose(float(m.optimizer.learning_rate.numpy()), 0.1, rtol=1e-6)
    with pytest.raises(TypeError, match="schedule"):
        mk.callbacks.LearningRateScheduler(0.1)


def test_verbose_prints_the_new_rate(capsys):
    mk_model().fit(X, Y, epochs=2, verbose=0,
                   callbacks=[mk.callbacks.LearningRateScheduler(halve, verbose=1)])
    out = capsys.readouterr().out
    assert "Epoch 2: LearningRateScheduler setting learning rate to 0.05" in out


# ---- optimizers whose learning rate is a schedule ---------------------------------------------
def schedule_optimizer():
    schedule = mk.optimizers.schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    return mk.optimizers.SGD(schedule)


@pytest.mark.parametrize("callback", [
    lambda: mk.callbacks.ReduceLROnPlateau(monitor="loss", patience=0),
    lambda: mk.callbacks.LearningRateScheduler(halve),
])
def test_schedule_optimizers_are_refused_before_training(callback):
    m = mk_model(optimizer=schedule_optimizer())
    m.build((None, 2))
    before = m.get_weights()
    with pytest.raises(TypeError, match="LearningRateSchedule"):
        m.fit(X, Y, epochs=3, verbose=0, callbacks=[callback()])
    for a, b in zip(before, m.get_weights()):
        np.testing.assert_array_equal(a, b)
