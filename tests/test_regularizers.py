"""Regularizers: penalties equal keras's, and fits with them match keras's fits."""
import keras
import numpy as np
import pytest
import tensorflow as tf

import minikeras as mk
from minikeras import regularizers

W = np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)
X = np.random.default_rng(1).normal(size=(37, 4)).astype(np.float32)
Y = X @ np.array([[1.0], [-2.0], [0.5], [0.0]], np.float32)

CASES = [
    (lambda: regularizers.L1(0.03), lambda: keras.regularizers.L1(0.03)),
    (lambda: regularizers.L2(0.02), lambda: keras.regularizers.L2(0.02)),
    (lambda: regularizers.L1L2(0.01, 0.05), lambda: keras.regularizers.L1L2(0.01, 0.05)),
    (lambda: regularizers.get("l2"), lambda: keras.regularizers.get("l2")),
    (lambda: regularizers.get("l1"), lambda: keras.regularizers.get("l1")),
    (lambda: regularizers.get("l1l2"), lambda: keras.regularizers.get("l1l2")),
]


@pytest.mark.parametrize("ours,theirs", CASES)
def test_penalty_matches_keras(ours, theirs):
    np.testing.assert_allclose(float(ours()(W)), float(theirs()(W)), rtol=1e-6)


@pytest.mark.parametrize("ours,theirs", CASES[:3])
def test_fit_with_kernel_and_bias_regularizers_matches_keras(ours, theirs):
    ref = keras.Sequential([keras.Input((4,)),
                            keras.layers.Dense(3, activation="tanh", kernel_regularizer=theirs(),
                                               bias_regularizer=theirs()),
                            keras.layers.Dense(1, kernel_regularizer=theirs())])
    mine = mk.Sequential([mk.Input(shape=(4,)),
                          mk.layers.Dense(3, activation="tanh", kernel_regularizer=ours(),
                                          bias_regularizer=ours()),
                          mk.layers.Dense(1, kernel_regularizer=ours())])
    start = [w + 0.1 for w in ref.get_weights()]  # non-zero biases, so their penalty counts
    ref.set_weights(start)
    mine.set_weights(start)
    ref.compile(optimizer=keras.optimizers.SGD(0.05, momentum=0.9), loss="mse")
    mine.compile(optimizer=mk.optimizers.SGD(0.05, momentum=0.9), loss="mse")
    kw = dict(batch_size=8, epochs=3, shuffle=False, verbose=0, validation_split=0.2)
    h_ref, h_mine = ref.fit(X, Y, **kw).history, mine.fit(X, Y, **kw).history
    for key in h_ref:
        np.testing.assert_allclose(h_mine[key], h_ref[key], rtol=1e-5, err_msg=key)
    for a, b in zip(mine.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_bad_factors_and_names():
    with pytest.raises(ValueError, match="l2"):
        regularizers.L2(-1.0)
    with pytest.raises(ValueError, match="l2"):
        regularizers.get("l3")
    assert regularizers.get(None) is None


def test_frozen_weights_add_no_penalty_as_in_keras():
    ours = mk.Sequential([mk.Input(shape=(4,)), mk.layers.Dense(3, kernel_regularizer="l2")])
    theirs = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, kernel_regularizer="l2")])
    assert len(ours.losses) == len(theirs.losses) == 1
    ours.layers[0].trainable = theirs.layers[0].trainable = False
    assert len(ours.losses) == len(theirs.losses) == 0


def test_plot_history_draws_every_curve():
    import matplotlib
    matplotlib.use("Agg")

    model = mk.Sequential([mk.Input(shape=(4,)), mk.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    history = model.fit(X, Y, epochs=3, verbose=0, validation_split=0.25)
    fig = mk.utils.plot_history(history)  # a History, as fit returns it
    labels = [line.get_label() for ax in fig.axes for line in ax.get_lines()]
    assert sorted(labels) == ["loss", "mae", "val_loss", "val_mae"]
    for ax in fig.axes:
        for line in ax.get_lines():
            np.testing.assert_allclose(line.get_ydata(), history.history[line.get_label()])
    fig = mk.utils.plotting.plot_history({"loss": [1.0, 0.5], "accuracy": [0.5, 0.7]})  # a dict
    assert len(fig.axes) >= 1
    from minikeras.utils.plotting import plot_history
    with pytest.raises(ValueError):
        plot_history({})


@pytest.mark.parametrize("mode", ["rows", "columns"])
@pytest.mark.parametrize("shape", [(4, 4), (3, 5), (6, 2)])
def test_orthogonal_regularizer_matches_keras(mode, shape):
    w = np.random.default_rng(1).normal(size=shape).astype(np.float32)
    w[0] = 0.0  # a zero row: keras caps the inverse norm at 1/epsilon
    # a tensor, as a layer passes its weight (keras normalizes NumPy input another way)
    expected = keras.regularizers.OrthogonalRegularizer(factor=0.1, mode=mode)(tf.constant(w))
    received = regularizers.OrthogonalRegularizer(factor=0.1, mode=mode)(w)
    np.testing.assert_allclose(np.asarray(received), np.asarray(expected), rtol=1e-6)
    reg = regularizers.get("orthogonal_regularizer")
    assert isinstance(reg, regularizers.OrthogonalRegularizer)
    theirs = keras.regularizers.get("orthogonal_regularizer").get_config()
    assert reg.get_config() == {"factor": 0.01, "mode": "rows"}  # keras: float32(0.01)
    assert theirs["mode"] == "rows"
    assert theirs["factor"] == pytest.approx(0.01)
    again = regularizers.get(regularizers.serialize(regularizers.OrthogonalRegularizer(0.2, mode)))
    assert again.get_config() == {"factor": 0.2, "mode": mode}


def test_orthogonal_regularizer_refuses_as_keras():
    with pytest.raises(ValueError, match='Expected one of {"rows", "columns"}. Received: mode=x'):
        regularizers.OrthogonalRegularizer(mode="x")
    with pytest.raises(ValueError, match=r"must have rank 2. Received: inputs.shape=\(2, 2, 2\)"):
        regularizers.OrthogonalRegularizer()(np.ones((2, 2, 2), np.float32))
    with pytest.raises(ValueError, match="factor"):
        regularizers.OrthogonalRegularizer(factor=-1.0)
