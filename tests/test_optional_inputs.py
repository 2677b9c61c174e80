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


def _named_inputs_model(lib, seed=3):
    """Inputs named in a dict whose keys are not in sorted order, the second optional."""
    lib.utils.set_random_seed(seed)
    x = lib.Input((2,), name="x")
    o = lib.Input((2,), name="o", optional=True)

    class AddThenDense(lib.layers.Layer):
        def __init__(self):
            super().__init__()
            self.dense = lib.layers.Dense(2, kernel_initializer="ones")

        def call(self, x, o=None):
            return self.dense(x if o is None else x + o)
    model = lib.Model({"x": x, "o": o}, AddThenDense()(x, o))
    model.compile(loss="mse", optimizer=lib.optimizers.SGD(0.1))
    return model


@pytest.mark.parametrize("given", [False, True], ids=["o=None", "o=array"])
def test_fit_with_named_and_optional_inputs_matches_keras(given):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 2)).astype("float32")
    o = rng.normal(size=(8, 2)).astype("float32") if given else None
    y = rng.normal(size=(8, 2)).astype("float32")
    results = []
    for lib in (keras, mk):
        model = _named_inputs_model(lib)
        history = model.fit({"x": x, "o": o}, y, batch_size=4, epochs=2, shuffle=False,
                            verbose=0).history["loss"]

        def batches():
            for start in (0, 4):
                yield {"x": x[start:start + 4],
                       "o": None if o is None else o[start:start + 4]}, y[start:start + 4]
        history += model.fit(batches(), verbose=0).history["loss"]
        results.append((history, model.evaluate({"x": x, "o": o}, y, verbose=0),
                        model.predict({"x": x, "o": o}, verbose=0)))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-5)
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-5)
    np.testing.assert_allclose(results[1][2], results[0][2], rtol=1e-5, atol=1e-6)


def test_none_for_a_required_input_in_fit_is_refused_before_training():
    model = _named_inputs_model(mk)
    before = model.get_weights()
    with pytest.raises(ValueError, match="'x' is not optional"):
        model.fit({"x": None, "o": np.ones((4, 2))}, np.ones((4, 2)), verbose=0)
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)
