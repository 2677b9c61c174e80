"""The one-step math of the recurrent layers (keras's LSTMCell, GRUCell, SimpleRNNCell) and
the shared time loop, written on TensorFlow ops only (no NumPy inside a step).

Each step function takes the input projection ``x_t @ kernel`` (computed for all time steps
at once before the loop, the same dot products keras computes per step) and the previous
states, and returns ``(output, new_states)``.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import tensorflow as tf

from minikeras._reduce import dim


def lstm_step(layer, z_x: tf.Tensor, states: Sequence[tf.Tensor]) -> tuple:
    """keras's LSTM step, gates in the order i, f, c, o::

        z = x_t @ kernel + h @ recurrent_kernel + bias
        i, f, o = recurrent_activation(z_i), recurrent_activation(z_f), recurrent_activation(z_o)
        c' = f * c + i * activation(z_c);  h' = o * activation(c')
    """
    h, c = states
    z = z_x + tf.matmul(h, layer.recurrent_kernel)
    if layer.use_bias:
        z = z + layer.bias
    z_i, z_f, z_c, z_o = tf.split(z, 4, axis=-1)
    i = layer.recurrent_activation(z_i)
    f = layer.recurrent_activation(z_f)
    c = f * c + i * layer.activation(z_c)
    o = layer.recurrent_activation(z_o)
    h = o * layer.activation(c)
    return h, (h, c)


def gru_step(layer, z_x: tf.Tensor, states: Sequence[tf.Tensor]) -> tuple:
    """keras's GRU step, gates in the order z, r, h. With ``reset_after`` (bias ``(2, 3u)``:
    input bias, then recurrent bias)::

        z = sig(x_z + h @ U_z + b_rz);  r = sig(x_r + h @ U_r + b_rr)
        hh = act(x_h + r * (h @ U_h + b_rh));  h' = z * h + (1 - z) * hh

    without it, ``hh = act(x_h + (r * h) @ U_h)`` (bias ``(3u,)`` on the input side only).
    """
    (h,) = states
    u = layer.units
    if layer.use_bias:
        z_x = z_x + (layer.bias[0] if layer.reset_after else layer.bias)
    x_z, x_r, x_h = tf.split(z_x, 3, axis=-1)
    if layer.reset_after:
        inner = tf.matmul(h, layer.recurrent_kernel)
        if layer.use_bias:
            inner = inner + layer.bias[1]
        rec_z, rec_r, rec_h = tf.split(inner, 3, axis=-1)
    else:
        rec = tf.matmul(h, layer.recurrent_kernel[:, :2 * u])
        rec_z, rec_r = tf.split(rec, 2, axis=-1)
    z = layer.recurrent_activation(x_z + rec_z)
    r = layer.recurrent_activation(x_r + rec_r)
    if layer.reset_after:
        hh = layer.activation(x_h + r * rec_h)
    else:
        hh = layer.activation(x_h + tf.matmul(r * h, layer.recurrent_kernel[:, 2 * u:]))
    h = z * h + (1 - z) * hh
    return h, (h,)


def simple_rnn_step(layer, z_x: tf.Tensor, states: Sequence[tf.Tensor]) -> tuple:
    """keras's SimpleRNN step: ``h' = activation(x_t @ kernel + bias + h @ recurrent_kernel)``."""
    (h,) = states
    if layer.use_bias:
        z_x = z_x + layer.bias
    out = z_x + tf.matmul(h, layer.recurrent_kernel)
    if layer.activation is not None:
        out = layer.activation(out)
    return out, (out,)


def run_loop(step: Callable, projected: tf.Tensor, states: tuple,
             return_sequences: bool) -> tuple:
    """Runs ``step(z_x_t, states) -> (output, states)`` over the time-major ``projected``
    ``(time, batch, n)`` with `tf.while_loop`; returns the last output, the stacked outputs
    (``(time, batch, units)``, or None unless ``return_sequences``) and the final states."""
    # A static length when known: XLA needs a bound on the loop to differentiate it.
    steps = dim(projected)
    states = tuple(states)
    last = tf.zeros_like(states[0])

    def body(t, last, outputs, *states):
        out, new_states = step(projected[t], states)
        if return_sequences:
            outputs = outputs.write(t, out)
        return (t + 1, out, outputs) + tuple(new_states)

    outputs = (tf.TensorArray(projected.dtype, size=steps, element_shape=last.shape)
               if return_sequences else tf.constant(0))
    result = tf.while_loop(lambda t, *_: t < steps, body,
                           (tf.constant(0), last, outputs) + states,
                           maximum_iterations=steps)
    _, last, outputs = result[:3]
    stacked = outputs.stack() if return_sequences else None
    return last, stacked, tuple(result[3:])
