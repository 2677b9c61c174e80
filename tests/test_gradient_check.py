"""check_gradients: tape gradients against finite differences, and it catches a wrong gradient."""
import numpy as np
import pytest
import tensorflow as tf

import minikeras as mk
from minikeras.utils import check_gradients


def data(n=24, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype(np.float32)
    y = (x[:, 0] * x[:, 1] + x[:, 2] > 0).astype(np.float32)
    return x, y


def small_model(*extra, regularizer=None):
    mk.utils.set_random_seed(0)
    return mk.Sequential([mk.Input(shape=(3,)),
                          mk.layers.Dense(5, activation="tanh", kernel_regularizer=regularizer),
                          *extra,
                          mk.layers.Dense(1, activation="sigmoid")])


class WrongScale(mk.layers.Layer):
    """``x * scale`` whose custom gradient for ``scale`` is three times the true one."""

    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), initializer=mk.initializers.Ones(),
                                     name="scale")
        super().build(input_shape)

    def call(self, inputs, training=False):
        @tf.custom_gradient
        def scaled(x, scale):
            def grad(upstream):
                return upstream * scale, 3.0 * tf.reduce_sum(upstream * x, axis=0)
            return x * scale, grad
        return scaled(inputs, self.scale)


def test_correct_model_has_small_errors():
    x, y = data()
    model = small_model()
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    errors = check_gradients(model, x, y)
    assert sorted(name.split("/")[1] for name in errors) == ["bias", "bias", "kernel", "kernel"]
    assert max(errors.values()) < 1e-2, errors


def test_wrong_custom_gradient_is_caught():
    x, y = data()
    model = small_model(WrongScale())
    errors = check_gradients(model, x, y, loss="binary_crossentropy")
    wrong = [name for name in errors if "wrong_scale" in name]
    assert len(wrong) == 1
    assert errors[wrong[0]] > 0.3, errors  # true error 2/3: |3g - g| / |3g|
    # The other weights' gradients do not pass through the wrong rule and stay correct.
    assert max(v for k, v in errors.items() if k not in wrong) < 1e-2, errors


def test_given_loss_regularizer_and_sum_reduction():
    x, y = data()
    model = small_model(regularizer=mk.regularizers.L2(0.1))  # penalty is part of the objective
    errors = check_gradients(model, x, y[:, None],
                             loss=mk.losses.MeanSquaredError(reduction="sum"))
    assert max(errors.values()) < 1e-2, errors


def test_weights_are_restored_and_uncompiled_model_needs_a_loss():
    x, y = data()
    model = small_model()
    model(x)
    before = [w.copy() for w in model.get_weights()]
    check_gradients(model, x, y, loss="mse")
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="loss"):
        check_gradients(model, x, y)
    with pytest.raises(ValueError, match="epsilon"):
        check_gradients(model, x, y, loss="mse", epsilon=0.0)
