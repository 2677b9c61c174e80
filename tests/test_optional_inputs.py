"""Input(optional=True): a functional model called with None for that input, as keras."""
import keras
import numpy as np
import pytest

import minikeras as mk


class AddIfGiven:
    """A layer adding its second input when one is given (keras's optional-input pattern)."""

    @staticmethod
    def of(lib):
        class Layer(lib.layers.Layer):
            def call(self, x, y=None):
                return x if y is None else x + y
        return Layer()


@pytest.mark.parametrize("lib", [keras, mk], ids=["keras", "minikeras"])
def test_none_for_an_optional_input(lib):
    a = lib.Input((2,), name="a")
    b = lib.Input((2,), name="b", optional=True)
    model = lib.Model([a, b], AddIfGiven.of(lib)(a, b))
    x = np.ones((3, 2), "float32")
    np.testing.assert_array_equal(np.asarray(model([x, None])), x)
    np.testing.assert_array_equal(np.asarray(model([x, x])), 2 * x)
    assert b._keras_history[0].optional if lib is keras else b.node.layer.optional


def test_optional_must_be_a_bool():
    with pytest.raises(TypeError, match="optional"):
        mk.Input((2,), optional="yes")
