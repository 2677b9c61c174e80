"""Gradient checking: automatic gradients against central finite differences.

For every trainable weight ``w`` the loss is evaluated at ``w + h`` and ``w - h`` (all other
weights fixed) and the slope ``(L(w + h) - L(w - h)) / 2h`` is compared with the gradient
`tf.GradientTape` computes. A mistake in a gradient (a wrong custom gradient, a layer that
breaks the graph) shows up as a large relative error. Each weight costs two forward passes, so
this is meant for small models and a handful of samples.
"""
from __future__ import annotations

import copy
from typing import Any

import numpy as np
import tensorflow as tf

from minikeras import losses as losses_module
from minikeras._logits import record_logits


def _weight_names(model: Any) -> list[tuple[str, tf.Variable]]:
    """``[("dense/kernel", var), ...]``: the trainable weights with layer-qualified names
    (a repeated name, e.g. from a nested model, gets a suffix ``_1``, ``_2``...)."""
    named, seen = [], set()
    for layer in getattr(model, "layers", [model]):
        for var in layer.trainable_weights:
            base = name = f"{layer.name}/{var.name.split(':')[0]}"
            count = 0
            while name in seen:
                count += 1
                name = f"{base}_{count}"
            seen.add(name)
            named.append((name, var))
    return named


def check_gradients(model: Any, x: Any, y: Any, loss: Any = None,
                    epsilon: float = 3e-3) -> dict[str, float]:
    """Compares tape gradients with central finite differences, weight by weight.

    The checked function is the training objective evaluated with ``training=False``: the loss
    (the compiled one, or ``loss``) of ``model`` on ``(x, y)``, plus the weights' regularization
    penalties. The loss receives the logits of a final sigmoid/softmax, as in `fit`.

    For each entry ``w_i`` of a weight, with tape gradient ``a_i``::

        n_i = (L(w_i + h) - L(w_i - h)) / (2h)            (central difference, h ~ epsilon)
        error = max_i |a_i - n_i| / max_i max(|a_i|, |n_i|)

    so the error is relative to the size of that weight's gradient: about 1e-4 to 1e-3 when the
    gradients agree, of order 1 when one is wrong. Layers compute in float32; the per-sample
    losses are summed and differenced in float64, and the step actually taken,
    ``float32(w + epsilon) - float32(w - epsilon)``, is used as ``2h``. The default step is close
    to the best one for float32 (about the cube root of its machine epsilon, 5e-3). Kinks (relu
    at 0) give large errors when a step crosses them; use smooth activations to check.

    Args:
      model: A built or unbuilt `Sequential` (or layer).
      x: A small batch of inputs (each weight costs two forward passes).
      y: The batch's targets.
      loss: A loss name, `Loss` or function; default the model's compiled loss.
      epsilon: Finite-difference step. Default 3e-3.

    Returns:
      ``{"layer/weight": error}`` for every trainable weight.

    Example:
      >>> from minikeras.utils import check_gradients
      >>> import numpy as np
      >>> import minikeras as keras
      >>> x = np.random.default_rng(0).normal(size=(16, 2)).astype("float32")
      >>> y = (x[:, :1] > 0).astype("float32")
      >>> model = keras.Sequential([keras.Input(shape=(2,)),
      ...                           keras.layers.Dense(3, "tanh", name="hidden"),
      ...                           keras.layers.Dense(1, "sigmoid", name="out")])
      >>> errors = check_gradients(model, x, y, loss="binary_crossentropy")
      >>> sorted(errors)
      ['hidden/bias', 'hidden/kernel', 'out/bias', 'out/kernel']
      >>> max(errors.values()) < 1e-2
      True
    """
    if not epsilon > 0:
        raise ValueError(f"Expected `epsilon` > 0. Received: epsilon={epsilon!r}")
    if loss is None:
        loss = getattr(model, "loss", None)
        if loss is None:
            raise ValueError("The model is not compiled: pass `loss=` (e.g. loss='mse').")
    loss = copy.copy(losses_module.to_loss(loss))
    summed = loss.reduction == "sum"
    loss.reduction = "none"  # per-sample values, reduced below (in float64 for the differences)
    x = tf.constant(np.asarray(x, dtype=np.float32))
    y = tf.constant(np.asarray(y, dtype=np.float32))
    model(x)  # builds the model if needed

    @tf.function
    def per_sample_and_penalty() -> tuple[tf.Tensor, tf.Tensor]:
        with record_logits() as logits_of:
            y_pred = model(x, training=False)
        logits = logits_of(y_pred)
        penalties = list(model.losses)
        return loss(y, y_pred, logits=logits), tf.add_n(penalties) if penalties else 0.0

    def objective_float64() -> float:
        values, penalty = per_sample_and_penalty()
        values = values.numpy().astype(np.float64)
        return (values.sum() if summed else values.mean()) + float(penalty)

    named = _weight_names(model)
    with tf.GradientTape() as tape:
        values, penalty = per_sample_and_penalty()
        objective = (tf.reduce_sum(values) if summed else tf.reduce_mean(values)) + penalty
    tape_grads = tape.gradient(objective, [var for _, var in named])

    errors = {}
    for (name, var), tape_grad in zip(named, tape_grads):
        analytic = (np.zeros(var.shape) if tape_grad is None
                    else tf.convert_to_tensor(tape_grad).numpy().astype(np.float64))
        numeric = _finite_differences(objective_float64, var, epsilon)
        scale = max(np.abs(analytic).max(initial=0.0), np.abs(numeric).max(initial=0.0))
        difference = np.abs(analytic - numeric).max(initial=0.0)
        errors[name] = float(difference / scale) if scale > 0 else 0.0
    return errors


def _finite_differences(objective: Any, var: tf.Variable, epsilon: float) -> np.ndarray:
    """Central differences of ``objective()`` with respect to each entry of ``var``."""
    original = var.numpy()
    flat = original.reshape(-1)
    slopes = np.zeros(flat.size, dtype=np.float64)
    try:
        for i in range(flat.size):
            plus, minus = flat.copy(), flat.copy()
            plus[i] = np.float32(np.float64(flat[i]) + epsilon)
            minus[i] = np.float32(np.float64(flat[i]) - epsilon)
            var.assign(plus.reshape(original.shape))
            loss_plus = objective()
            var.assign(minus.reshape(original.shape))
            loss_minus = objective()
            slopes[i] = (loss_plus - loss_minus) / (np.float64(plus[i]) - np.float64(minus[i]))
    finally:
        var.assign(original)
    return slopes.reshape(original.shape)
