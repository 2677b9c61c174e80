"""Whole-fit parity: keras and minikeras from the same weights give the same numbers.

67 samples at batch 16 leave a partial last batch; shuffle=False fixes the order; several epochs.
Each loss is trained with one of the SGD forms; final weights, every History value and
evaluate must agree within 1e-5.
"""
import keras
import numpy as np
import pytest

import minikeras as mk

N, FEATURES, EPOCHS, BATCH = 67, 3, 4, 16
SGD_FORMS = {"plain": dict(momentum=0.0), "momentum": dict(momentum=0.9),
             "nesterov": dict(momentum=0.9, nesterov=True)}
# loss -> (output units, output activation, metric, target maker)
rng = np.random.default_rng(0)
X = rng.normal(size=(N, FEATURES)).astype(np.float32)
LABELS = (X @ np.array([1.0, -2.0, 0.5]) + 0.3 * rng.normal(size=N) > 0).astype(np.float32)
CLASSES = np.digitize(X[:, 0] - X[:, 1], [-0.7, 0.7]).astype(np.float32)
CASES = {
    "mse": (1, None, "mae", X @ np.array([[0.5], [-1.0], [2.0]], np.float32)),
    "mae": (1, None, "mse", X @ np.array([[0.5], [-1.0], [2.0]], np.float32)),
    "huber": (1, None, "mae", 2 * X @ np.array([[0.5], [-1.0], [2.0]], np.float32)),
    "binary_crossentropy": (1, "sigmoid", "accuracy", LABELS),
    "categorical_crossentropy": (3, "softmax", "accuracy", np.eye(3, dtype=np.float32)[CLASSES.astype(int)]),
    "sparse_categorical_crossentropy": (3, "softmax", "accuracy", CLASSES),
}


def build_pair(units, activation):
    ref = keras.Sequential([keras.Input((FEATURES,)), keras.layers.Dense(5, activation="tanh"),
                            keras.layers.Dense(units, activation=activation)])
    ours = mk.Sequential([mk.Input(shape=(FEATURES,)), mk.layers.Dense(5, activation="tanh"),
                          mk.layers.Dense(units, activation=activation)])
    ours.set_weights(ref.get_weights())
    return ref, ours


def fit_both(loss, sgd, fit_kwargs=None, compile_kwargs=None, lr=0.1):
    units, activation, metric, y = CASES[loss]
    ref, ours = build_pair(units, activation)
    kwargs = dict(batch_size=BATCH, epochs=EPOCHS, shuffle=False, verbose=0, **(fit_kwargs or {}))
    ref.compile(optimizer=keras.optimizers.SGD(learning_rate=lr, **SGD_FORMS[sgd]), loss=loss,
                metrics=[metric])
    ours.compile(optimizer=mk.optimizers.SGD(learning_rate=lr, **SGD_FORMS[sgd]), loss=loss,
                 metrics=[metric], **(compile_kwargs or {}))
    h_ref = ref.fit(X, y, **kwargs).history
    h_ours = ours.fit(X, y, **kwargs).history
    return ref, ours, h_ref, h_ours, y


def assert_same_history(h_ours, h_ref):
    assert sorted(h_ours) == sorted(h_ref)
    for key in h_ref:
        np.testing.assert_allclose(h_ours[key], h_ref[key], rtol=1e-5, atol=1e-5, err_msg=key)


def assert_same_weights(ours, ref):
    for a, b in zip(ours.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


# Each loss once, each SGD form with two losses: the forms' maths is checked step by step in
# the optimizer tests, so the full 6 x 3 product would repeat keras's slow fits for nothing.
PAIRS = [("mse", "nesterov"), ("mae", "plain"), ("huber", "momentum"),
         ("binary_crossentropy", "nesterov"), ("categorical_crossentropy", "momentum"),
         ("sparse_categorical_crossentropy", "plain")]


@pytest.mark.parametrize("loss,sgd", PAIRS)
def test_fit_matches_keras(loss, sgd):
    ref, ours, h_ref, h_ours, y = fit_both(loss, sgd)
    assert_same_history(h_ours, h_ref)
    assert_same_weights(ours, ref)
    np.testing.assert_allclose(ours.evaluate(X, y, verbose=0), ref.evaluate(X, y, verbose=0),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours.predict(X, verbose=0), ref.predict(X, verbose=0),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("loss", ["binary_crossentropy", "mse"])
def test_validation_split_matches_keras(loss):
    ref, ours, h_ref, h_ours, _ = fit_both(loss, "momentum", dict(validation_split=0.25))
    assert "val_loss" in h_ours
    assert_same_history(h_ours, h_ref)
    assert_same_weights(ours, ref)


def test_validation_data_and_sample_weight_match_keras():
    w = np.random.default_rng(3).uniform(0.2, 2.0, N).astype(np.float32)
    xv, yv = X[:20] * 0.5, CASES["binary_crossentropy"][3][:20]
    ref, ours, h_ref, h_ours, _ = fit_both(
        "binary_crossentropy", "nesterov", dict(sample_weight=w, validation_data=(xv, yv)))
    assert_same_history(h_ours, h_ref)
    assert_same_weights(ours, ref)


def test_saturated_sigmoid_trains_through_logits_like_keras():
    """A model whose sigmoid saturates: keras's loss uses the logits (large), not clipped probs."""
    keras.utils.set_random_seed(0)  # fixed weights: the test does not depend on a draw
    ref, ours = build_pair(1, "sigmoid")
    big = [w * 100 for w in ref.get_weights()]
    ref.set_weights(big)
    ours.set_weights(big)
    y = 1 - CASES["binary_crossentropy"][3]
    for m in (ref, ours):
        m.compile(optimizer="sgd", loss="binary_crossentropy")
    ours_loss = ours.evaluate(X, y, verbose=0)
    np.testing.assert_allclose(ours_loss, ref.evaluate(X, y, verbose=0), rtol=1e-5)
    clipped = float(mk.losses.BinaryCrossentropy()(y.reshape(-1, 1), ours.predict(X, verbose=0)))
    assert ours_loss > clipped + 1.0  # the logits path is not capped at -log(1e-7)


def test_steps_per_execution_gives_identical_results():
    units, activation, metric, y = CASES["categorical_crossentropy"]
    start = build_pair(units, activation)[0].get_weights()
    results = []
    for spe in (1, 3, 100):
        ours = build_pair(units, activation)[1]
        ours.set_weights(start)
        ours.compile(optimizer=mk.optimizers.SGD(0.1, momentum=0.9),
                     loss="categorical_crossentropy", metrics=[metric], steps_per_execution=spe)
        mk.utils.set_random_seed(5)  # the shuffle order is drawn from the seed
        h = ours.fit(X, y, batch_size=BATCH, epochs=EPOCHS, verbose=0).history
        results.append((h, ours.get_weights()))
    for h, weights in results[1:]:
        assert h == results[0][0]
        for a, b in zip(weights, results[0][1]):
            np.testing.assert_array_equal(a, b)
