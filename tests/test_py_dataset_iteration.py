"""A PyDataset iterates over its batches (len of them), so Normalization.adapt takes one as
keras's does; x-only, (x, y) and (x, y, w) batches adapt to the same statistics."""
import keras
import numpy as np
import pytest

import minikeras as mk

BATCHES = [np.random.default_rng(i).normal(size=(8, 4, 3)).astype("float32") for i in range(5)]


def batches(lib, kind):
    class Batches(lib.utils.PyDataset):
        def __len__(self):
            return len(BATCHES)

        def __getitem__(self, idx):  # never raises IndexError: only __len__ ends an epoch
            x = BATCHES[idx % len(BATCHES)]
            y = np.zeros((8, 1), "float32")
            return {"x": x, "x_and_y": (x, y), "x_y_and_weights": (x, y, y[:, 0])}[kind]
    return Batches()


@pytest.mark.parametrize("kind", ["x", "x_and_y", "x_y_and_weights"])
def test_adapt_takes_a_py_dataset_as_keras(kind):
    ours, ref = mk.layers.Normalization(), keras.layers.Normalization()
    ours.adapt(batches(mk, kind))
    ref.adapt(batches(keras, kind))
    np.testing.assert_allclose(np.asarray(ours.mean), keras.ops.convert_to_numpy(ref.mean),
                               rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(ours.variance),
                               keras.ops.convert_to_numpy(ref.variance), rtol=1e-5, atol=1e-6)
    assert len(list(batches(mk, kind))) == len(BATCHES)
