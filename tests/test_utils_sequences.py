"""keras.utils.pad_sequences against keras: padding and truncating sides, maxlen, dtypes,
multi-dimensional entries, empty sequences, and keras's errors."""
import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minikeras as mk

SEQS = [[1, 2, 3], [4], [], [5, 6, 7, 8, 9]]


@pytest.mark.parametrize("padding", ["pre", "post"])
@pytest.mark.parametrize("truncating", ["pre", "post"])
@pytest.mark.parametrize("maxlen", [None, 1, 3, 7])
def test_matches_keras(padding, truncating, maxlen):
    kwargs = dict(maxlen=maxlen, padding=padding, truncating=truncating)
    ours, ref = mk.utils.pad_sequences(SEQS, **kwargs), keras.utils.pad_sequences(SEQS, **kwargs)
    assert ours.dtype == ref.dtype
    np.testing.assert_array_equal(ours, ref)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(0, 99), max_size=8), min_size=1, max_size=6),
       st.one_of(st.none(), st.integers(1, 9)), st.sampled_from(["pre", "post"]),
       st.sampled_from(["pre", "post"]), st.sampled_from(["int32", "float32", "int64"]))
def test_any_lists_match_keras(seqs, maxlen, padding, truncating, dtype):
    kwargs = dict(maxlen=maxlen, padding=padding, truncating=truncating, dtype=dtype, value=-1)
    np.testing.assert_array_equal(mk.utils.pad_sequences(seqs, **kwargs),
                                  keras.utils.pad_sequences(seqs, **kwargs))


def test_entries_with_a_shape_and_float_values():
    seqs = [np.ones((2, 3)), np.full((4, 3), 2.0)]
    kwargs = dict(maxlen=3, dtype="float32", value=0.5)
    ours = mk.utils.pad_sequences(seqs, **kwargs)
    assert ours.shape == (2, 3, 3)
    np.testing.assert_array_equal(ours, keras.utils.pad_sequences(seqs, **kwargs))


def test_all_empty_sequences_give_zero_columns_as_keras():
    ours, ref = mk.utils.pad_sequences([[], []]), keras.utils.pad_sequences([[], []])
    assert ours.shape == ref.shape == (2, 0)


@pytest.mark.parametrize("kwargs,match", [
    (dict(padding="middle"), 'Padding type "middle" not understood'),
    (dict(truncating="both"), 'Truncating type "both" not understood'),
    (dict(value="x"), "not compatible with `value`'s type"),
])
def test_errors_as_keras(kwargs, match):
    for lib in (keras, mk):
        with pytest.raises(ValueError, match=match):
            lib.utils.pad_sequences(SEQS, **kwargs)


def test_non_iterables_are_refused_as_keras():
    for lib in (keras, mk):
        with pytest.raises(ValueError, match="must be iterable"):
            lib.utils.pad_sequences(5)
        with pytest.raises(ValueError, match="must be a list of iterables"):
            lib.utils.pad_sequences([[1], 2])
    with pytest.raises(ValueError, match="different from expected shape"):
        mk.utils.pad_sequences([np.ones((2, 3)), np.ones((2, 4))])
