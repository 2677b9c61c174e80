"""EarlyStopping: the stopping epoch against keras on scripted logs, baseline, warm-up, mode
inference, and restore_best_weights in real fits (stopped early and run to the end)."""
import operator

import keras
import numpy as np
import pytest

import minikeras as mk

X = np.random.default_rng(0).normal(size=(64, 2)).astype(np.float32)
Y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(np.float32)


def mk_model(lr=0.1):
    m = mk.Sequential([mk.Input(shape=(2,)), mk.layers.Dense(1, activation="sigmoid")])
    m.compile(optimizer=mk.optimizers.SGD(lr), loss="binary_crossentropy", metrics=["accuracy"])
    return m


def keras_model():
    m = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1, activation="sigmoid")])
    m.compile(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy")
    return m


def drive(callback, model, values, monitor="val_loss"):
    """Runs the callback's hooks over scripted epoch logs; returns the epoch it stopped at."""
    callback.set_model(model)
    model.stop_training = False
    callback.on_train_begin()
    stopped = None
    for epoch, value in enumerate(values):
        callback.on_epoch_begin(epoch)
        callback.on_epoch_end(epoch, {monitor: float(value)})
        if model.stop_training:
            stopped = epoch
            break
    callback.on_train_end({})
    return stopped


def both(values, monitor="val_loss", **kwargs):
    """(minikeras stop epoch, keras stop epoch) and the two callbacks."""
    ours = mk.callbacks.EarlyStopping(monitor=monitor, **kwargs)
    ref = keras.callbacks.EarlyStopping(monitor=monitor, **kwargs)
    return drive(ours, mk_model(), values, monitor), drive(ref, keras_model(), values, monitor), \
        ours, ref


# ---- scripted sequences -------------------------------------------------------------------------
def test_patience_counts_epochs_without_improvement():
    values = [1.0, 0.8, 0.9, 0.85, 0.81, 0.7]
    assert both(values, patience=0)[:2] == (2, 2)
    assert both(values, patience=2)[:2] == (3, 3)
    assert both(values, patience=3)[:2] == (4, 4)
    assert both(values, patience=4)[:2] == (None, None)


def test_patience_0_never_stops_at_epoch_0_and_min_delta_needs_a_real_gain():
    assert both([1.0, 1.0], patience=0)[:2] == (1, 1)
    # 0.95 is not 0.1 better than 1.0: no improvement with min_delta=0.1
    assert both([1.0, 0.95, 0.5], patience=1, min_delta=0.1)[:2] == (1, 1)
    assert both([1.0, 0.85, 0.7], patience=1, min_delta=0.1)[:2] == (None, None)


def test_baseline_epochs_that_miss_it_count_towards_patience():
    values = [0.9, 0.95, 0.97, 0.99]
    assert both(values, patience=2)[:2] == (2, 2)
    assert both(values, patience=2, baseline=0.5)[:2] == (1, 1)  # epoch 0 missed the baseline
    assert both(values, patience=2, baseline=0.95)[:2] == (2, 2)  # epoch 0 beat it


def test_start_from_epoch_ignores_the_warm_up():
    values = [5.0, 1.0, 2.0, 3.0, 3.0, 3.0]
    assert both(values, patience=1)[:2] == (2, 2)
    ours, ref = both(values, patience=1, start_from_epoch=3)[2:]
    assert drive(ours, mk_model(), values) == drive(ref, keras_model(), values) == 4
    assert ours.best == ref.best == 3.0


def test_max_mode_and_accuracy_names():
    values = [0.5, 0.6, 0.55, 0.58, 0.6]
    assert both(values, monitor="val_accuracy", mode="max", patience=2)[:2] == (3, 3)


def test_parity_with_keras_on_random_sequences():
    rng = np.random.default_rng(1)
    for _ in range(120):
        values = rng.integers(0, 6, size=12) / 4.0  # ties happen often
        kwargs = dict(patience=int(rng.integers(0, 4)), min_delta=float(rng.choice([0, 0.3])),
                      baseline=rng.choice([None, 0.5, 1.0]), mode=str(rng.choice(["min", "max"])),
                      start_from_epoch=int(rng.integers(0, 3)))
        stop, ref_stop, ours, ref = both(values, **kwargs)
        assert (stop, ours.best, ours.wait) == (ref_stop, ref.best, ref.wait), (values, kwargs)


def test_missing_monitor_warns_and_never_stops():
    cb = mk.callbacks.EarlyStopping(monitor="val_loss", patience=0)
    with pytest.warns(UserWarning, match="val_loss.*not available"):
        assert drive(cb, mk_model(), [1.0, 2.0], monitor="loss") is None


def test_argument_checks():
    with pytest.raises(ValueError, match="patience"):
        mk.callbacks.EarlyStopping(patience=-1)
    with pytest.raises(ValueError, match="start_from_epoch"):
        mk.callbacks.EarlyStopping(start_from_epoch=1.5)
    with pytest.warns(UserWarning, match="unknown"):
        assert mk.callbacks.EarlyStopping(mode="best").mode == "auto"


# ---- mode "auto" --------------------------------------------------------------------------------
def test_auto_mode_reads_the_direction_from_the_compiled_metric():
    m = mk_model()
    m.fit(X, Y, epochs=1, verbose=0)
    for monitor, op in (("loss", operator.lt), ("val_loss", operator.lt),
                        ("accuracy", operator.gt), ("val_accuracy", operator.gt)):
        cb = mk.callbacks.EarlyStopping(monitor=monitor)
        cb.set_model(m)
        cb._set_monitor_op()
        assert cb.monitor_op is op, monitor
    cb = mk.callbacks.EarlyStopping(monitor="val_score")
    cb.set_model(m)
    with pytest.raises(ValueError, match="mode='max'"):
        cb._set_monitor_op()


def test_auto_mode_for_error_metrics_and_acc_alias():
    m = mk.Sequential([mk.Input(shape=(2,)), mk.layers.Dense(1, activation="sigmoid")])
    m.compile(optimizer="sgd", loss="mse", metrics=["acc", "mae"])
    m.fit(X, Y, epochs=1, verbose=0)
    for monitor, op in (("val_acc", operator.gt), ("val_mae", operator.lt)):
        cb = mk.callbacks.EarlyStopping(monitor=monitor)
        cb.set_model(m)
        cb._set_monitor_op()
        assert cb.monitor_op is op, monitor


# ---- real fits --------------------------------------------------------------------------------
def test_real_fit_stops_when_the_loss_is_flat_like_keras():
    # learning rate 0: every epoch has the same loss, so epoch 0 stays the best.
    m = mk_model(lr=0.0)
    history = m.fit(X, Y, epochs=10, shuffle=False, verbose=0,
                    callbacks=[mk.callbacks.EarlyStopping(monitor="loss", patience=2)])
    assert history.epoch == [0, 1, 2]
    keras.utils.set_random_seed(0)
    k = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1, activation="sigmoid")])
    k.compile(optimizer=keras.optimizers.SGD(0.0), loss="binary_crossentropy")
    ref = k.fit(X, Y, epochs=10, shuffle=False, verbose=0,
                callbacks=[keras.callbacks.EarlyStopping(monitor="loss", patience=2)])
    assert ref.epoch == history.epoch


def scripted_fit(scores, epochs, **es_kwargs):
    """A real fit whose monitored 'score' is scripted; returns the model, the weights at the
    end of each epoch, the history and the callback."""
    m = mk_model()
    snapshots = []

    def inject(epoch, logs):
        logs["score"] = scores[epoch]
        snapshots.append(m.get_weights())

    stop = mk.callbacks.EarlyStopping(monitor="score", mode="min", restore_best_weights=True,
                                      **es_kwargs)
    history = m.fit(X, Y, epochs=epochs, batch_size=16, verbose=0,
                    callbacks=[mk.callbacks.LambdaCallback(on_epoch_end=inject), stop])
    return m, snapshots, history, stop


def assert_weights_equal(a, b):
    assert len(a) == len(b)
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)


def test_restore_best_weights_when_stopping_early():
    scores = [0.9, 0.5, 0.7, 0.6, 0.8, 0.1]
    m, snapshots, history, stop = scripted_fit(scores, epochs=6, patience=2)
    assert history.epoch == [0, 1, 2, 3] and stop.stopped_epoch == 3 and stop.best_epoch == 1
    assert_weights_equal(m.get_weights(), snapshots[1])
    assert not np.allclose(snapshots[1][0], snapshots[3][0])  # training did move the weights


def test_restore_best_weights_when_training_ends_normally():
    scores = [0.9, 0.4, 0.7, 0.6, 0.5]
    m, snapshots, history, stop = scripted_fit(scores, epochs=5, patience=10)
    assert history.epoch == [0, 1, 2, 3, 4] and stop.stopped_epoch == 0
    assert_weights_equal(m.get_weights(), snapshots[1])


def test_restore_best_weights_respects_start_from_epoch():
    scores = [0.1, 0.9, 0.8, 0.85, 0.95]
    m, snapshots, history, stop = scripted_fit(scores, epochs=5, patience=10, start_from_epoch=1)
    assert stop.best_epoch == 2
    assert_weights_equal(m.get_weights(), snapshots[2])


def test_instance_is_reusable_across_fits():
    m = mk_model(lr=0.0)
    stop = mk.callbacks.EarlyStopping(monitor="loss", patience=1)
    assert m.fit(X, Y, epochs=5, shuffle=False, verbose=0, callbacks=[stop]).epoch == [0, 1]
    assert m.fit(X, Y, epochs=5, shuffle=False, verbose=0, callbacks=[stop]).epoch == [0, 1]


DIRECTED = ["Accuracy", "BinaryAccuracy", "CategoricalAccuracy", "SparseCategoricalAccuracy",
            "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy", "Precision", "Recall",
            "AUC", "F1Score", "FBetaScore", "CosineSimilarity", "MeanSquaredError",
            "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError",
            "RootMeanSquaredError", "LogCoshError", "Hinge", "SquaredHinge", "CategoricalHinge",
            "KLDivergence", "Poisson", "BinaryCrossentropy", "CategoricalCrossentropy",
            "SparseCategoricalCrossentropy", "Mean"]


@pytest.mark.parametrize("name", DIRECTED)
def test_auto_mode_directions_match_keras(name):
    from minikeras.callbacks.monitor import metric_direction
    expected = getattr(getattr(keras.metrics, name)(), "_direction", None)
    assert metric_direction(getattr(mk.metrics, name)()) == expected
