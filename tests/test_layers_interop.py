"""interop.to_keras / from_keras for the normalization and preprocessing layers: weights
(BatchNormalization's trainable and moving ones), given and adapted statistics, categorical
options, and the same predictions on both sides."""
import keras
import numpy as np
import pytest

import minikeras as mk
from minikeras import layers

RNG = np.random.default_rng(0)
X = RNG.normal(1.0, 2.0, size=(64, 4)).astype("float32")
TOL = {"rtol": 1e-5, "atol": 1e-6}


def _stats_model(trainable_bn=True):
    model = mk.Sequential([mk.Input((4,)), layers.Normalization(mean=[1.0, 0.0, 2.0, -1.0],
                                                                 variance=[4.0, 1.0, 2.0, 0.5]),
                           layers.Dense(3), layers.BatchNormalization(momentum=0.5),
                           layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(X, X[:, :1], epochs=2, batch_size=16, verbose=0)  # moving statistics move
    model.layers[2].trainable = trainable_bn
    return model


def _categorical_model():
    norm = layers.Normalization()
    norm.adapt(X[:, :3])
    disc = layers.Discretization(num_bins=4)
    disc.adapt(RNG.normal(size=(200,)))
    return mk.Sequential([mk.Input((3,)), norm, disc,
                          layers.CategoryEncoding(4, output_mode="count"), layers.Dense(2)])


def _check_same(ours, ref, x):
    np.testing.assert_allclose(ref.predict(x, verbose=0), ours.predict(x, verbose=0), **TOL)
    for kind in ("weights", "trainable_weights", "non_trainable_weights"):
        assert len(getattr(ours, kind)) == len(getattr(ref, kind)), kind
        for a, b in zip(getattr(ours, kind), getattr(ref, kind)):
            np.testing.assert_allclose(np.asarray(a), np.asarray(b), **TOL)


@pytest.mark.parametrize("trainable_bn", [True, False])
def test_batch_norm_and_given_statistics_convert_both_ways(trainable_bn):
    model = _stats_model(trainable_bn)
    ref = mk.interop.to_keras(model)
    assert [type(l).__name__ for l in ref.layers] == [type(l).__name__ for l in model.layers]
    _check_same(model, ref, X)
    back = mk.interop.from_keras(ref)
    _check_same(back, ref, X)
    assert back.layers[2].get_config() == model.layers[2].get_config()
    assert back.layers[0].get_config()["mean"] == [1.0, 0.0, 2.0, -1.0]


def test_adapted_and_categorical_layers_convert_both_ways():
    model = _categorical_model()
    ref = mk.interop.to_keras(model)
    x = X[:8, :3]
    _check_same(model, ref, x)
    assert ref.layers[1].bin_boundaries == pytest.approx(model.layers[1].bin_boundaries)
    back = mk.interop.from_keras(ref)
    _check_same(back, ref, x)
    assert back.layers[1].get_config() == model.layers[1].get_config()


def test_a_keras_batch_norm_trains_on_after_conversion_as_ours():
    model = _stats_model()
    ref = mk.interop.to_keras(model)
    ref.compile(optimizer="sgd", loss="mse")
    for m in (model, ref):
        m.fit(X, X[:, :1], epochs=1, batch_size=16, shuffle=False, verbose=0)
    _check_same(model, ref, X)


def test_batch_norm_options_minikeras_lacks_are_refused():
    ref = keras.Sequential([keras.Input((3,)),
                            keras.layers.BatchNormalization(beta_constraint="non_neg")])
    with pytest.raises(ValueError, match="beta_constraint"):
        mk.interop.from_keras(ref)


def test_spatial_dropout_converts_both_ways():
    model = mk.Sequential([mk.Input((6, 4)), layers.SpatialDropout1D(0.3, seed=1), layers.Flatten(),
                           layers.Reshape((6, 2, 2)),
                           layers.SpatialDropout2D(0.2, data_format="channels_first", seed=2),
                           layers.Flatten(), layers.Dense(1)])
    ref = mk.interop.to_keras(model)
    x = RNG.normal(size=(5, 6, 4)).astype("float32")
    _check_same(model, ref, x)
    assert (ref.layers[0].rate, ref.layers[0].seed) == (0.3, 1)
    assert ref.layers[3].data_format == "channels_first"
    back = mk.interop.from_keras(ref)
    _check_same(back, ref, x)
    for a, b in zip(back.layers, model.layers):
        assert a.get_config() == b.get_config()
