"""Parity with keras 3 of the losses beyond MSE/MAE/Huber/crossentropies: MAPE, MSLE, LogCosh,
CosineSimilarity, Hinge, SquaredHinge, CategoricalHinge, KLDivergence, Poisson.

Function forms, classes (every reduction, sample weights, (n,) vs (n, 1) targets), string
names and aliases, configs, and a compiled fit with each loss. Expected values come from keras.
"""
import keras
import numpy as np
import pytest

import minikeras
from minikeras import losses

RTOL, ATOL = 1e-6, 1e-6

FUNCTIONS = ["mean_absolute_percentage_error", "mean_squared_logarithmic_error", "log_cosh",
             "cosine_similarity", "hinge", "squared_hinge", "categorical_hinge",
             "kl_divergence", "poisson"]
CLASSES = ["MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "LogCosh",
           "CosineSimilarity", "Hinge", "SquaredHinge", "CategoricalHinge", "KLDivergence",
           "Poisson"]


def close(actual, expected, rtol=RTOL, atol=ATOL):
    np.testing.assert_allclose(np.asarray(actual), np.asarray(expected), rtol=rtol, atol=atol)


def data(name, shape, seed=0):
    """Targets and predictions of the kind each loss expects, with edge values mixed in."""
    rng = np.random.default_rng(seed)
    if name in ("hinge", "squared_hinge", "Hinge", "SquaredHinge"):
        y = rng.integers(0, 2, shape).astype("float32")
        if seed % 2:
            y = 2 * y - 1  # already -1/1
        return y, rng.normal(size=shape).astype("float32")
    if name in ("categorical_hinge", "CategoricalHinge"):
        k = shape[-1] if len(shape) > 1 else 3
        y = np.eye(k, dtype="float32")[rng.integers(0, k, shape[:-1] if len(shape) > 1 else shape)]
        return y.reshape(shape if len(shape) > 1 else y.shape), \
            rng.normal(size=y.shape).astype("float32")
    if name in ("kl_divergence", "KLDivergence", "poisson", "Poisson"):
        y = rng.uniform(0, 1, shape).astype("float32")
        p = rng.uniform(0, 1, shape).astype("float32")
        p.reshape(-1)[:2] = [0.0, 1e-9]
        return y, p
    y = rng.normal(size=shape).astype("float32") * 3
    p = rng.normal(size=shape).astype("float32") * 3
    y.reshape(-1)[:2] = [0.0, -0.0]  # MAPE's epsilon, MSLE's max(., eps)
    if len(shape) > 1:
        p[0] = 0.0  # a zero vector for cosine similarity
    return y, p


@pytest.mark.parametrize("name", FUNCTIONS)
@pytest.mark.parametrize("shape", [(6, 4), (6, 1), (6, 3, 2)])
def test_function_forms_match_keras(name, shape):
    y, p = data(name, shape, seed=len(shape))
    close(getattr(losses, name)(y, p), getattr(keras.losses, name)(y, p))


def test_function_forms_take_rank_1_targets():
    y = np.array([1.0, 2.0, 0.0], "float32")
    p = np.array([[1.5], [1.0], [0.5]], "float32")
    for name in ("mean_absolute_percentage_error", "mean_squared_logarithmic_error",
                 "log_cosh", "cosine_similarity"):
        close(getattr(losses, name)(y, p), getattr(keras.losses, name)(y, p))


def test_hinge_keeps_non_binary_labels():
    y = np.array([[0.0, 1.0, 0.5]], "float32")  # not all 0/1: left as they are
    p = np.array([[0.3, -0.6, 2.0]], "float32")
    close(losses.hinge(y, p), keras.losses.hinge(y, p))
    close(losses.squared_hinge(y, p), keras.losses.squared_hinge(y, p))


def test_cosine_similarity_axis():
    y, p = data("cosine_similarity", (4, 3, 5))
    for axis in (1, -1, 2):
        close(losses.cosine_similarity(y, p, axis=axis),
              keras.losses.cosine_similarity(y, p, axis=axis))
        close(losses.CosineSimilarity(axis=axis)(y, p), keras.losses.CosineSimilarity(axis=axis)(y, p))


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "mean",
                                       "mean_with_sample_weight", "none", None])
def test_classes_match_keras(cls, reduction):
    y, p = data(cls, (8, 3), seed=3)
    w = np.random.default_rng(5).uniform(0, 2, 8).astype("float32")
    mine, theirs = getattr(losses, cls)(reduction=reduction), \
        getattr(keras.losses, cls)(reduction=reduction)
    close(mine(y, p), theirs(y, p))
    close(mine(y, p, sample_weight=w), theirs(y, p, sample_weight=w))
    close(mine(y, p, sample_weight=w[:, None]), theirs(y, p, sample_weight=w[:, None]))


@pytest.mark.parametrize("cls", ["MeanAbsolutePercentageError", "MeanSquaredLogarithmicError",
                                 "LogCosh", "Hinge", "SquaredHinge", "Poisson"])
def test_classes_expand_rank_1_targets(cls):
    y, p = data(cls, (5, 1), seed=2)
    close(getattr(losses, cls)()(y[:, 0], p), getattr(keras.losses, cls)()(y[:, 0], p))


@pytest.mark.parametrize("cls", CLASSES)
def test_names_and_configs(cls):
    mine, theirs = getattr(losses, cls)(), getattr(keras.losses, cls)()
    assert mine.name == theirs.name
    config = mine.get_config()
    assert {k: v for k, v in config.items() if k != "axis"} == theirs.get_config()
    again = getattr(losses, cls).from_config(config)
    assert again.get_config() == config
    assert losses.deserialize(losses.serialize(mine)).get_config() == config
    named = getattr(losses, cls)(reduction="sum", name="mine", dtype="float64")
    assert (named.name, named.reduction, named.dtype) == ("mine", "sum", "float64")


def test_cosine_similarity_config_keeps_axis():
    loss = losses.CosineSimilarity(axis=1)
    assert losses.CosineSimilarity.from_config(loss.get_config()).axis == 1


@pytest.mark.parametrize("name", FUNCTIONS + CLASSES + ["mape", "MAPE", "msle", "MSLE", "kld",
                                                       "KLD"])
def test_string_names_resolve_as_keras(name):
    y, p = data("kl_divergence" if name.lower().startswith("k") else name, (6, 3), seed=1)
    mine = losses.get(name)
    theirs = keras.losses.get(name)
    # keras's get: a function name gives the per-sample function, a class name an instance
    assert isinstance(mine, losses.Loss) == isinstance(theirs, keras.losses.Loss)
    close(mine(y, p), theirs(y, p))
    compiled = losses.to_loss(name)  # what compile uses: reduced, named as given
    close(compiled(y, p), theirs(y, p) if isinstance(theirs, keras.losses.Loss)
          else np.mean(theirs(y, p)))
    if name in FUNCTIONS:
        assert compiled.name == name and compiled.get_config()["fn"] == name
    assert getattr(losses, name) is not None


@pytest.mark.parametrize("name", ["logcosh", "kullback_leibler_divergence"])
def test_names_keras_refuses_are_refused(name):
    with pytest.raises(ValueError):
        keras.losses.get(name)
    with pytest.raises(ValueError):
        losses.get(name)


@pytest.mark.parametrize("loss", ["mape", "msle", "log_cosh", "poisson", "hinge",
                                  "squared_hinge", "cosine_similarity", "kld",
                                  "categorical_hinge"])
def test_fit_with_each_loss_matches_keras(loss):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3)).astype("float32")
    if loss in ("categorical_hinge", "kld", "cosine_similarity"):
        y = np.eye(3, dtype="float32")[rng.integers(0, 3, 40)]
        units, act = 3, "softmax"
    else:
        y = rng.integers(0, 2, (40, 1)).astype("float32")
        units, act = 1, "sigmoid"
    kernel = rng.normal(size=(3, units)).astype("float32") * 0.5
    results = []
    for lib in (minikeras, keras):
        model = lib.Sequential([lib.Input(shape=(3,)), lib.layers.Dense(units, activation=act)])
        model.layers[-1].set_weights([kernel, np.zeros(units, "float32")])
        model.compile(optimizer=lib.optimizers.SGD(0.1), loss=loss)
        history = model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
        results.append((history.history["loss"], model.layers[-1].get_weights()[0]))
    close(results[0][0], results[1][0], rtol=1e-5, atol=1e-6)
    close(results[0][1], results[1][1], rtol=1e-5, atol=1e-6)
