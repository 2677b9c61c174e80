"""Small layers without weights: InputLayer (and `Input`), Activation, Softmax, Flatten, Dropout."""
from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import tensorflow as tf

from minikeras import activations
from minikeras.layers import symbolic
from minikeras.layers.dense import activation_name
from minikeras.layers.layer import Layer, as_shape
from minikeras.utils.random import draw_seed


class InputLayer(Layer):
    """The entry of a model: declares the shape (and dtype) of one sample.

    Its ``output`` is the `SymbolicTensor` that `Input` returns; as the first entry of a
    `Sequential` it lets the model build before seeing data.

    Args:
      shape: Shape of one sample, without the batch dimension, e.g. ``(2,)``.
      batch_size: Optional fixed batch size (recorded, not enforced).
      dtype: The inputs' dtype: "float32" (default) or an integer dtype for indices.
      batch_shape: Alternatively, the whole shape with the batch dimension first.
      name: Optional name.
    """

    _is_input_layer = True

    def __init__(self, shape: Sequence[int | None] | None = None, batch_size: int | None = None,
                 dtype: Any = None, batch_shape: Any = None, name: str | None = None,
                 input_shape: Any = None, **kwargs: Any):
        if batch_shape is not None:
            batch_shape = as_shape(batch_shape, "batch_shape")
            shape, batch_size = batch_shape[1:], batch_shape[0]
        if shape is None:
            shape = input_shape
        if shape is None:
            raise ValueError("InputLayer needs `shape`, the shape of one sample. Received: None")
        super().__init__(name=name, **kwargs)
        self.shape = as_shape(shape, "shape")
        self.batch_size = batch_size
        self.input_dtype = tf.as_dtype(dtype or tf.float32)
        self._declared_input_shape = (batch_size,) + self.shape
        node = symbolic.Node(self, None, {})
        node.outputs = symbolic.SymbolicTensor(self._declared_input_shape, self.input_dtype,
                                               node, name=self.name)
        self._inbound_nodes.append(node)
        self.built = True

    def get_config(self) -> dict:
        return {"name": self.name, "shape": list(self.shape), "batch_size": self.batch_size,
                "dtype": self.input_dtype.name}


def Input(shape: Sequence[int | None] | None = None, batch_size: int | None = None,
          dtype: Any = None, name: str | None = None,
          batch_shape: Any = None) -> symbolic.SymbolicTensor:
    """A symbolic model input of ``shape`` (one sample), as keras's `Input`.

    Use it to start a functional model, ``x = Input((2,)); y = Dense(1)(x);
    Model(x, y)``, or as the first entry of a Sequential, ``Sequential([Input((2,)),
    Dense(1)])``.
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, name=name,
                       batch_shape=batch_shape)
    return layer.output


class Activation(Layer):
    """Applies an activation function: ``Activation("relu")``.

    Args:
      activation: A name from `minikeras.activations` or a callable.
    """

    _float_inputs = True

    def __init__(self, activation: Any, name: str | None = None, **kwargs: Any):
        super().__init__(name=name, **kwargs)
        self.activation = activations.get(activation)

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        return self.activation(inputs)

    def get_config(self) -> dict:
        return {**super().get_config(), "activation": activation_name(self.activation)}


class Softmax(Layer):
    """Softmax over ``axis``: ``exp(x) / sum(exp(x), axis)``. Args: axis=-1."""

    _float_inputs = True

    def __init__(self, axis: int = -1, name: str | None = None, **kwargs: Any):
        super().__init__(name=name, **kwargs)
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise TypeError(f"Expected `axis` to be an integer. Received: axis={axis!r}")
        self.axis = axis

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        return activations.softmax(inputs, axis=self.axis)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


class Flatten(Layer):
    """Flattens each sample to one dimension: ``(batch, d1, d2, ...) -> (batch, d1*d2*...)``.

    Args:
      data_format: "channels_last" (default, also for None) flattens in memory order;
        "channels_first" moves axis 1 to the end first, as keras does, so that a
        channels-first and a channels-last tensor flatten to the same order.
      name: Layer name.
    """

    def __init__(self, data_format: str | None = None, name: str | None = None, **kwargs: Any):
        super().__init__(name=name, **kwargs)
        if data_format not in (None, "channels_last", "channels_first"):
            raise ValueError("Expected `data_format` to be 'channels_last' or 'channels_first'. "
                             f"Received: data_format={data_format!r}")
        self.data_format = data_format or "channels_last"

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        if inputs.shape.rank == 2:
            return inputs
        if self.data_format == "channels_first":
            rank = inputs.shape.rank
            inputs = tf.transpose(inputs, [0] + list(range(2, rank)) + [1])
        flat = self.compute_output_shape(tuple(inputs.shape.as_list()))[1]
        return tf.reshape(inputs, (-1, flat if flat is not None else -1))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        rest = input_shape[1:]
        size = None if any(d is None for d in rest) else math.prod(rest)
        return (input_shape[0], size)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format}


class Dropout(Layer):
    """Randomly zeroes inputs with probability ``rate`` during training; scales the rest.

    ``output = x * mask / (1 - rate)`` with ``mask ~ Bernoulli(1 - rate)`` when training, and
    ``x`` itself at inference. The randomness comes from the layer's own `tf.random.Generator`
    (seeded by ``seed``, or from Python's `random` when None), whose state is a variable: it is
    checkpointed, so a resumed run draws the same masks.

    Args:
      rate: Float in [0, 1), the fraction of inputs to drop.
      seed: Optional integer seed.
    """

    _float_inputs = True

    def __init__(self, rate: float, noise_shape: Any = None, seed: int | None = None,
                 name: str | None = None, **kwargs: Any):
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0 <= rate < 1:
            raise ValueError(
                "Invalid value received for argument `rate`. Expected a float value between 0 "
                f"and 1 (1 excluded). Received: rate={rate!r}")
        if noise_shape is not None:
            raise ValueError("minikeras Dropout does not support `noise_shape`; pass None.")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise TypeError(f"Expected `seed` to be an integer or None. Received: seed={seed!r}")
        super().__init__(name=name, **kwargs)
        self.rate = float(rate)
        self.seed = seed
        self.generator = None
        if self.rate > 0:  # as keras, which draws a seed only then
            with tf.init_scope():
                self.generator = tf.random.Generator.from_seed(
                    draw_seed() if seed is None else seed)

    def call(self, inputs: tf.Tensor, training: bool | None = None) -> tf.Tensor:
        if not training or self.rate == 0:
            return inputs
        seed = self.generator.make_seeds(1)[:, 0]
        return tf.nn.experimental.stateless_dropout(inputs, rate=self.rate, seed=seed)

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}
