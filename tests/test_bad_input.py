"""Bad input: a clear ValueError/TypeError naming what was expected and received, before any
state changes (weights, optimizer steps and history stay as they were)."""
import numpy as np
import pytest

import minikeras as mk
from minikeras import layers

X = np.random.default_rng(0).normal(size=(20, 3)).astype(np.float32)
Y = (X[:, :1] > 0).astype(np.float32)


def compiled(loss="binary_crossentropy", units=1, activation="sigmoid", **kw):
    m = mk.Sequential([mk.Input(shape=(3,)), layers.Dense(units, activation=activation)])
    m.compile(optimizer=mk.optimizers.SGD(0.1, momentum=0.9), loss=loss, **kw)
    return m


def assert_untouched(model, before):
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)
    assert int(model.optimizer.iterations.numpy()) == 0


@pytest.fixture
def model():
    m = compiled()
    return m, m.get_weights()


def test_fit_before_compile():
    m = mk.Sequential([layers.Dense(1)])
    for call in (lambda: m.fit(X, Y), lambda: m.evaluate(X, Y)):
        with pytest.raises(ValueError, match=r"compile\(\) before"):
            call()


def test_predict_on_unbuilt_model_builds_from_data():
    m = mk.Sequential([layers.Dense(2)])
    assert m.predict(X, verbose=0).shape == (20, 2)


def test_x_and_y_lengths_differ(model):
    m, before = model
    with pytest.raises(ValueError, match=r"same number of samples.*x.shape=\(20, 3\).*y.shape=\(19, 1\)"):
        m.fit(X, Y[:19], verbose=0)
    assert_untouched(m, before)


def test_features_differ_from_built_model(model):
    m, before = model
    with pytest.raises(ValueError, match=r"expected shape=\(None, 3\), found shape=\(None, 4\)"):
        m.fit(np.ones((20, 4), np.float32), Y, verbose=0)
    with pytest.raises(ValueError, match=r"expected shape=\(None, 3\)"):
        m.predict(np.ones((5, 2), np.float32), verbose=0)
    assert_untouched(m, before)


def test_validation_data_features_differ(model):
    m, before = model
    with pytest.raises(ValueError, match="expected shape"):
        m.fit(X, Y, validation_data=(np.ones((4, 5), np.float32), Y[:4]), verbose=0)
    assert_untouched(m, before)


def test_wrong_rank(model):
    m, before = model
    with pytest.raises(ValueError, match=r"rank 2.*shape \(20,\).*reshape"):
        m.fit(X[:, 0], Y, verbose=0)
    assert_untouched(m, before)


def test_unknown_identifiers_list_valid_names():
    m = mk.Sequential([layers.Dense(1)])
    with pytest.raises(ValueError, match="Valid names are:.*sgd"):
        m.compile(optimizer="sgdd", loss="mse")
    with pytest.raises(ValueError, match="mean_squared_error"):
        m.compile(optimizer="sgd", loss="mean_sqared_error")
    with pytest.raises(ValueError, match="accuracy"):
        m.compile(optimizer="sgd", loss="mse", metrics=["acuracy"])
    with pytest.raises(ValueError, match="Could not interpret activation function identifier"):
        layers.Dense(1, activation="rellu")
    with pytest.raises(ValueError, match="glorot_uniform"):
        layers.Dense(1, kernel_initializer="glorot")
    assert not m.compiled


@pytest.mark.parametrize("kwargs,match", [
    (dict(batch_size=0), "batch_size"), (dict(batch_size=-4), "batch_size"),
    (dict(batch_size=2.5), "batch_size"), (dict(epochs=0), "epochs"), (dict(epochs=-1), "epochs"),
    (dict(validation_split=1.0), "validation_split"), (dict(verbose=3), "verbose"),
    (dict(initial_epoch=5, epochs=2), "initial_epoch"),
])
def test_bad_fit_arguments(model, kwargs, match):
    m, before = model
    with pytest.raises(ValueError, match=match):
        m.fit(X, Y, **{"verbose": 0, **kwargs})
    assert_untouched(m, before)


def test_bad_evaluate_and_predict_batch_size(model):
    m, _ = model
    with pytest.raises(ValueError, match="batch_size"):
        m.evaluate(X, Y, batch_size=0, verbose=0)
    with pytest.raises(ValueError, match="batch_size"):
        m.predict(X, batch_size=-1, verbose=0)


@pytest.mark.parametrize("kwargs,match", [
    (dict(learning_rate=-0.1), "learning_rate"), (dict(momentum=1.1), "momentum"),
    (dict(momentum=-0.5), "momentum"),
])
def test_optimizer_hyperparameters_out_of_range(kwargs, match):
    with pytest.raises(ValueError, match=match):
        mk.optimizers.SGD(**kwargs)


@pytest.mark.parametrize("labels,match", [
    (np.array([0, 1, 3, 2] * 5), r"3"), (np.array([0, 1, -1, 2] * 5), r"-1"),
    (np.array([0, 1, 0.5, 2] * 5), "integer"),
])
def test_sparse_labels_out_of_range(labels, match):
    m = compiled("sparse_categorical_crossentropy", units=3, activation="softmax")
    before = m.get_weights()
    with pytest.raises(ValueError, match=match):
        m.fit(X, labels, verbose=0)
    with pytest.raises(ValueError, match=match):
        m.evaluate(X, labels, verbose=0)
    assert_untouched(m, before)


@pytest.mark.parametrize("where", ["x", "y"])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_or_inf_in_data(model, where, bad):
    m, before = model
    x, y = X.copy(), Y.copy()
    (x if where == "x" else y)[7, 0] = bad
    with pytest.raises(ValueError, match=rf"`{where}` contains 1 NaN or infinite.*row 7"):
        m.fit(x, y, verbose=0)
    assert_untouched(m, before)


def test_nan_in_validation_data(model):
    m, before = model
    xv = X[:5].copy()
    xv[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        m.fit(X, Y, validation_data=(xv, Y[:5]), verbose=0)
    assert_untouched(m, before)


def test_set_weights_wrong_count_or_shape(model):
    m, before = model
    with pytest.raises(ValueError, match=r"weight 'bias' of shape \(1,\) has no array: "
                                         "set_weights received 1 arrays, the model has 2"):
        m.set_weights(before[:1])
    with pytest.raises(ValueError, match="has 2 weight arrays, but set_weights received 3"):
        m.set_weights(before + [before[1]])
    with pytest.raises(TypeError, match="list of arrays"):
        m.set_weights(5)
    with pytest.raises(ValueError, match=r"shape \(3, 1\), received an array of shape \(1, 3\)"):
        m.set_weights([before[0].T, before[1]])
    assert_untouched(m, before)


def test_empty_x(model):
    m, before = model
    with pytest.raises(ValueError, match="at least one sample"):
        m.fit(np.zeros((0, 3), np.float32), np.zeros((0, 1), np.float32), verbose=0)
    with pytest.raises(ValueError, match="at least one sample"):
        m.predict(np.zeros((0, 3), np.float32), verbose=0)
    assert_untouched(m, before)


def test_non_numeric_data(model):
    m, before = model
    with pytest.raises(TypeError, match="numbers"):
        m.fit(np.array([["a", "b", "c"]] * 20), Y, verbose=0)
    with pytest.raises(TypeError, match="x"):
        m.fit({"x": X}, Y, verbose=0)
    assert_untouched(m, before)


def test_sample_weight_wrong_length(model):
    m, before = model
    with pytest.raises(ValueError, match=r"sample_weight.*\(20,\).*\(7,\)"):
        m.fit(X, Y, sample_weight=np.ones(7), verbose=0)
    assert_untouched(m, before)


def test_bad_callbacks_and_metrics_types(model):
    m, before = model
    with pytest.raises(TypeError, match="Callback"):
        m.fit(X, Y, callbacks=[object()], verbose=0)
    with pytest.raises(TypeError, match="list"):
        m.compile(optimizer="sgd", loss="mse", metrics="accuracy")
    assert_untouched(m, before)


@pytest.mark.parametrize("loss, activation, y, match", [
    ("mse", None, np.zeros((20, 5), np.float32), r"broadcasts against .*\(None, 2\).*\(20, 5\)"),
    ("mse", None, np.zeros((20,), np.float32), r"broadcasts against .*\(20,\)"),
    ("mse", None, np.zeros((20, 2, 3), np.float32), r"\(20, 2, 3\)"),
    ("categorical_crossentropy", "softmax", np.zeros((20,), np.float32),
     r"the same shape as .*\(None, 2\)"),
    ("binary_crossentropy", "sigmoid", np.zeros((20, 1), np.float32), r"same shape"),
    ("sparse_categorical_crossentropy", "softmax", np.eye(2, dtype=np.float32)[[0, 1] * 10],
     r"one-hot targets need categorical_crossentropy"),
])
def test_targets_that_do_not_fit_the_output(loss, activation, y, match):
    m = compiled(loss=loss, units=2, activation=activation, metrics=["accuracy"])
    before = m.get_weights()
    for call in (lambda: m.fit(X, y, verbose=0), lambda: m.evaluate(X, y, verbose=0),
                 lambda: m.fit(X, Y, validation_data=(X, y), verbose=0)):
        with pytest.raises(ValueError, match=match):
            call()
    assert_untouched(m, before)
    good = {"sparse_categorical_crossentropy": (X[:, 0] > 0).astype(np.int64)}.get(
        loss, np.zeros((20, 2), np.float32))
    m.fit(X, good, epochs=1, verbose=0)  # nothing was cached from the bad call
    assert int(m.optimizer.iterations.numpy()) == 1


def test_broadcasting_targets_are_accepted_as_keras_accepts_them():
    m = compiled(loss="mse", units=2, activation=None)
    m.fit(X, np.zeros((20, 1), np.float32), verbose=0)  # (n, 1) against (n, 2), as keras


def test_rank_one_x_builds_a_model_that_takes_it_and_hints_for_dense():
    """keras accepts 1-D x when the model's first layer takes it (an Embedding over token
    ids); an unbuilt Dense model fails at build with the reshape hint, before any update."""
    ids = np.array([0, 3, 1, 2, 3, 0], np.int64)
    emb = mk.Sequential([layers.Embedding(4, 2), layers.Dense(1)])
    emb.compile("sgd", "mse")
    emb.fit(ids, np.zeros((6, 1), np.float32), verbose=0)
    assert emb.predict(ids, verbose=0).shape == (6, 1)
    dense = mk.Sequential([layers.Dense(1)])
    dense.compile("sgd", "mse")
    with pytest.raises(ValueError, match=r"rank >= 2.*reshape\(-1, 1\)"):
        dense.fit(X[:, 0], Y, verbose=0)
    assert not dense.built or int(dense.optimizer.iterations.numpy()) == 0


def test_generator_batches_that_change_structure_or_rank_are_refused():
    m = compiled()

    def changing_structure():
        yield X[:4], Y[:4]
        yield X[:4], Y[:4], np.ones(4, np.float32)

    def changing_rank():
        yield X[:4], Y[:4]
        yield X[:4, :, None], Y[:4]

    with pytest.raises(ValueError, match="same structure"):
        m.fit(changing_structure(), verbose=0)
    with pytest.raises(ValueError, match="keep the rank"):
        m.fit(changing_rank(), verbose=0)
    assert int(m.optimizer.iterations.numpy()) == 0
