"""Discretization.adapt (keras's quantile summary), keras's output shapes and errors, and the
keras attributes of the preprocessing layers (Normalization.mean/variance, static shapes of
CategoryEncoding), each against keras."""
import keras
import numpy as np
import pytest
import tensorflow as tf

import minikeras as mk
from minikeras import layers

RNG = np.random.default_rng(0)


def _both(**kwargs):
    return layers.Discretization(**kwargs), keras.layers.Discretization(**kwargs)


@pytest.mark.parametrize("data", [
    RNG.random((32, 3)),                                          # one array
    RNG.normal(size=(1000,)) * 5,                                # more than 1 / epsilon values
    [RNG.uniform(0, 10, size=(20,)) for _ in range(5)],          # a list of batches
    [np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0])],
    np.array([0.0, 1.0, 5.0]),                                    # fewer values than bins
])
@pytest.mark.parametrize("num_bins", [3, 4, 7])
def test_adapt_gives_keras_boundaries(data, num_bins):
    ours, ref = _both(num_bins=num_bins)
    ours.adapt(data)
    ref.adapt(data)
    np.testing.assert_allclose(ours.bin_boundaries, ref.bin_boundaries, rtol=1e-6)
    x = np.linspace(-1, 11, 24).reshape(4, 6)
    np.testing.assert_array_equal(ours(x), ref(x))
    config = ours.get_config()
    assert config["num_bins"] == num_bins and config["bin_boundaries"] == ours.bin_boundaries
    assert layers.Discretization.from_config(config).get_config() == config


def test_adapt_from_a_dataset_and_a_generator_with_steps_as_keras():
    x = RNG.normal(size=(64, 2)).astype("float32")
    ours, ref = _both(num_bins=5, epsilon=0.05)
    ds = tf.data.Dataset.from_tensor_slices(x).batch(16).repeat()
    ours.adapt(ds, steps=3)
    ref.adapt(ds, steps=3)
    np.testing.assert_allclose(ours.bin_boundaries, ref.bin_boundaries, rtol=1e-6)

    def endless():
        while True:
            yield x[:16]
    ours.adapt(endless(), steps=2)
    ref.adapt(endless(), steps=2)
    np.testing.assert_allclose(ours.bin_boundaries, ref.bin_boundaries, rtol=1e-6)


def test_adapt_errors_and_call_before_adapt():
    with pytest.raises(ValueError, match="Cannot adapt a Discretization layer"):
        layers.Discretization([0.0]).adapt(np.ones(3))
    layer = layers.Discretization(num_bins=3)
    with pytest.raises(ValueError, match="You need .* call .*adapt"):
        layer(np.array([[0.1, 0.8]]))
    with pytest.raises(ValueError, match="no data"):
        layer.adapt([])
    assert layer.bin_boundaries is None
    with pytest.raises(ValueError, match="Both `num_bins` and `bin_boundaries`"):
        layers.Discretization(num_bins=3, bin_boundaries=[0.0])
    with pytest.raises(ValueError, match="greater than or equal to 0"):
        layers.Discretization(num_bins=-1)


@pytest.mark.parametrize("mode", ["int", "one_hot", "multi_hot", "count"])
@pytest.mark.parametrize("shape", [(None, 3, 4), (None, 5, 1), (4,), ()])
def test_discretization_output_shapes_as_keras(mode, shape):
    ours, ref = _both(bin_boundaries=[0.0, 1.0], output_mode=mode)
    assert ours.compute_output_shape(shape) == tuple(ref.compute_output_shape(shape))
    assert ours.output_dtype == ref.output_dtype
    if None in shape:
        x = RNG.uniform(-1, 2, size=(2,) + shape[1:])
        assert ours(x).shape[1:] == ours.compute_output_shape(shape)[1:]


@pytest.mark.parametrize("mode", ["multi_hot", "count", "one_hot"])
def test_category_encoding_keeps_static_shapes_as_keras(mode):
    shape = (4, 1) if mode == "one_hot" else (4, 3)
    ours = layers.CategoryEncoding(6, output_mode=mode)(mk.Input(batch_shape=shape,
                                                                 dtype="int32"))
    ref = keras.layers.CategoryEncoding(6, output_mode=mode)(keras.Input(batch_shape=shape,
                                                                         dtype="int32"))
    assert tuple(ours.shape) == tuple(ref.shape)


@pytest.mark.parametrize("kwargs", [{"axis": -1}, {"axis": (1, 2)}, {"axis": 2, "mean": 5.0,
                                                                    "variance": 2.0}])
def test_normalization_mean_and_variance_attributes_as_keras(kwargs):
    x = RNG.normal(size=(8, 3, 4)).astype("float32")
    ours, ref = layers.Normalization(**kwargs), keras.layers.Normalization(**kwargs)
    assert ours.mean is None and ours.variance is None
    if "mean" in kwargs:
        ours.build(x.shape)
        ref.build(x.shape)
    else:
        ours.adapt(x)
        ref.adapt(x)
    for name in ("mean", "variance"):
        np.testing.assert_allclose(getattr(ours, name), getattr(ref, name), rtol=1e-6)


@pytest.mark.parametrize("axis, shape, start", [
    (3, (2, 2), "All `axis` values must be in the range"),
    (-4, (2, 3, 4), "All `axis` values must be in the range"),
    (1, (None, None), "All `axis` values to be kept must have a known shape"),
])
def test_normalization_axis_errors_start_as_keras(axis, shape, start):
    for lib in (layers, keras.layers):
        with pytest.raises(ValueError) as err:
            lib.Normalization(axis=axis).build(shape)
        assert str(err.value).startswith(start)
