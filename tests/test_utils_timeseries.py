"""utils.timeseries_dataset_from_array and the (x, y, sample_weight) packing helpers, against
keras."""
import keras
import numpy as np
import pytest
import tensorflow as tf

import minikeras as mk

DATA = np.arange(60, dtype=np.float32).reshape(30, 2)
TARGETS = np.arange(30)


def batches(dataset):
    return [tf.nest.map_structure(lambda t: t.numpy(), b) for b in dataset]


@pytest.mark.parametrize("kwargs", [
    dict(sequence_length=4),
    dict(sequence_length=3, sequence_stride=2, sampling_rate=3, batch_size=5),
    dict(sequence_length=5, batch_size=None, start_index=4, end_index=25),
    dict(sequence_length=2, sampling_rate=2, batch_size=4, shuffle=True, seed=7),
])
@pytest.mark.parametrize("with_targets", [True, False])
def test_windows_match_keras(kwargs, with_targets):
    targets = TARGETS if with_targets else None
    got, want = [], []
    for lib, out in ((keras, want), (mk, got)):
        tf.random.set_seed(3)
        out.extend(batches(lib.utils.timeseries_dataset_from_array(DATA, targets, **kwargs)))
    assert len(got) == len(want) > 0
    for ours, theirs in zip(got, want):
        tf.nest.map_structure(np.testing.assert_array_equal, ours, theirs)


def test_next_step_targets_train_a_model():
    ds = mk.utils.timeseries_dataset_from_array(DATA[:-3], DATA[3:, 0], sequence_length=3,
                                                batch_size=8)
    model = mk.Sequential([mk.layers.Flatten(), mk.layers.Dense(1)])
    model.compile("sgd", "mse")
    history = model.fit(ds, epochs=2, verbose=0).history["loss"]
    assert len(history) == 2 and np.isfinite(history).all()


def test_bad_arguments_are_refused():
    make = mk.utils.timeseries_dataset_from_array
    with pytest.raises(ValueError, match="sequence_length"):
        make(DATA, None, sequence_length=0)
    with pytest.raises(ValueError, match="sampling_rate.*lower than the length"):
        make(DATA, None, sequence_length=2, sampling_rate=30)
    with pytest.raises(ValueError, match="start_index < end_index"):
        make(DATA, None, sequence_length=2, start_index=10, end_index=5)
    with pytest.raises(ValueError, match="scalar"):
        make(np.float32(1.0), None, sequence_length=2)


@pytest.mark.parametrize("data", [np.ones(2), (np.ones(2),), (np.ones(2), np.zeros(2)),
                                  [np.ones(2), np.zeros(2), np.ones(2)]])
def test_unpack_matches_keras(data):
    ours = mk.utils.unpack_x_y_sample_weight(data)
    theirs = keras.utils.unpack_x_y_sample_weight(data)
    assert len(ours) == 3
    for a, b in zip(ours, theirs):
        assert (a is None and b is None) or a is b


def test_pack_matches_keras_and_bad_tuples_are_refused():
    x, y, w = np.ones(2), np.zeros(2), np.ones(2)
    for args in ((x,), ((x, y),), (x, y), (x, y, w)):
        ours, theirs = mk.utils.pack_x_y_sample_weight(*args), \
            keras.utils.pack_x_y_sample_weight(*args)
        assert type(ours) is type(theirs) and len(tf.nest.flatten(ours)) == len(
            tf.nest.flatten(theirs))
    with pytest.raises(ValueError, match="format"):
        mk.utils.unpack_x_y_sample_weight((x, y, w, w))


def test_script_helpers_exist_where_keras_has_them():
    for name in ("clear_session", "register_keras_serializable", "get_custom_objects",
                 "get_registered_name", "get_registered_object"):
        assert callable(getattr(mk.utils, name)) and hasattr(keras.utils, name)
