"""Small layers without weights: InputLayer (and `Input`), Activation, Softmax, Flatten, and
`Dropout` (defined in `layers/regularization.py`, re-exported here)."""
from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import tensorflow as tf

from minikeras import _validation, activations
from minikeras.layers import symbolic
from minikeras.layers.dense import activation_name
from minikeras.layers.layer import Layer, as_shape
from minikeras.layers.regularization import Dropout


class InputLayer(Layer):
    """The entry of a model: declares the shape (and dtype) of one sample.

    Its ``output`` is the `SymbolicTensor` that `Input` returns; as the first entry of a
    `Sequential` it lets the model build before seeing data.

    Args:
      shape: Shape of one sample, without the batch dimension, e.g. ``(2,)``.
      batch_size: Optional fixed batch size (recorded, not enforced).
      dtype: The inputs' dtype: "float32" (default) or an integer dtype for indices.
      sparse: Accepted as False only: minikeras has no sparse tensors.
      ragged: Accepted as False only: minikeras has no ragged tensors.
      batch_shape: Alternatively, the whole shape with the batch dimension first.
      name: Optional name.
      input_shape: Deprecated (as in keras) spelling of ``shape``.
    """

    _is_input_layer = True

    def __init__(self, shape: Sequence[int | None] | None = None, batch_size: int | None = None,
                 dtype: Any = None, sparse: bool | None = None, ragged: bool | None = None,
                 batch_shape: Any = None, input_tensor: Any = None, optional: bool = False,
                 name: str | None = None, input_shape: Any = None, **kwargs: Any):
        if input_shape is not None:
            warnings.warn("Argument `input_shape` is deprecated. Use `shape` instead.",
                          stacklevel=2)
            shape = input_shape if shape is None else shape
        if kwargs.pop("batch_input_shape", None) is not None and batch_shape is None:
            raise ValueError("Argument `batch_input_shape` is not supported. Use "
                             "`batch_shape` instead.")
        for flag, value in (("sparse", sparse), ("ragged", ragged)):
            if value:
                raise ValueError(f"`{flag}=True` is not supported: minikeras has no "
                                 f"{flag} tensors.")
        if input_tensor is not None:
            raise ValueError("Argument `input_tensor` is not supported: minikeras's "
                             "InputLayer always creates its own symbolic tensor.")
        if shape is not None and batch_shape is not None:
            raise ValueError("You cannot pass both `shape` and `batch_shape` at the same time.")
        if batch_size is not None and batch_shape is not None:
            raise ValueError("You cannot pass both `batch_size` and `batch_shape` at the "
                             "same time.")
        if shape is None and batch_shape is None:
            raise ValueError("You must pass a `shape` argument.")
        if batch_shape is not None:
            batch_shape = as_shape(batch_shape, "batch_shape")
            shape, batch_size = batch_shape[1:], batch_shape[0]
        super().__init__(name=name, **kwargs)
        self.shape = as_shape(shape, "shape")
        self.batch_size = batch_size
        self.input_dtype = tf.as_dtype(dtype or tf.float32)
        self.sparse = self.ragged = False
        self.optional = _validation.boolean(optional, "optional")  # None may be passed
        self._declared_input_shape = (batch_size,) + self.shape
        node = symbolic.Node(self, None, {})
        node.outputs = symbolic.SymbolicTensor(self._declared_input_shape, self.input_dtype,
                                               node, name=self.name)
        self._inbound_nodes.append(node)
        self.built = True

    @property
    def dtype(self) -> str:
        """The inputs' dtype name."""
        return self.input_dtype.name

    @property
    def batch_shape(self) -> tuple:
        """The inputs' shape with the batch dimension first (``batch_size`` or None)."""
        return self._declared_input_shape

    def call(self) -> None:
        """An input layer computes nothing: its output is the symbolic tensor."""
        return None

    def get_config(self) -> dict:
        return {"name": self.name, "shape": list(self.shape), "batch_size": self.batch_size,
                "dtype": self.input_dtype.name}


def Input(shape: Sequence[int | None] | None = None, batch_size: int | None = None,
          dtype: Any = None, sparse: bool | None = None, ragged: bool | None = None,
          batch_shape: Any = None, name: str | None = None, tensor: Any = None,
          optional: bool = False) -> symbolic.SymbolicTensor:
    """A symbolic model input of ``shape`` (one sample), as keras's `Input`.

    Use it to start a functional model, ``x = Input((2,)); y = Dense(1)(x);
    Model(x, y)``, or as the first entry of a Sequential, ``Sequential([Input((2,)),
    Dense(1)])``.
    """
    layer = InputLayer(shape=shape, batch_size=batch_size, dtype=dtype, sparse=sparse,
                       ragged=ragged, batch_shape=batch_shape, input_tensor=tensor,
                       optional=optional, name=name)
    return layer.output


class Activation(Layer):
    """Applies an activation function: ``Activation("relu")``.

    Args:
      activation: A name from `minikeras.activations` or a callable.
    """

    _float_inputs = True

    supports_masking = True

    def __init__(self, activation: Any, name: str | None = None, **kwargs: Any):
        super().__init__(name=name, **kwargs)
        self.activation = activations.get(activation)
        self._build_at_init()

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        return self.activation(inputs)

    def get_config(self) -> dict:
        return {**super().get_config(), "activation": activation_name(self.activation)}


class Softmax(Layer):
    """Softmax over ``axis``: ``exp(x) / sum(exp(x), axis)``.

    Args:
      axis: Integer, or list/tuple of integers normalised jointly. Default -1.

    Call arguments:
      inputs: The logits.
      mask: Optional, broadcastable to ``inputs`` (each dimension 1 or equal): 1/True keeps
        an entry, 0/False masks it (its output is 0). As keras's explicit ``mask`` argument.
    """

    _float_inputs = True
    supports_masking = True

    def __init__(self, axis: int | Sequence[int] = -1, name: str | None = None,
                 **kwargs: Any):
        super().__init__(name=name, **kwargs)
        axes = axis if isinstance(axis, (list, tuple)) else [axis]
        if not axes or any(isinstance(a, bool) or not isinstance(a, int) for a in axes):
            raise TypeError("Expected `axis` to be an integer or a list of integers. "
                            f"Received: axis={axis!r}")
        self.axis = axis
        self._build_at_init()

    def call(self, inputs: tf.Tensor, mask: Any = None) -> tf.Tensor:
        if mask is not None:
            mask = _broadcastable_mask(inputs, mask)
            inputs = tf.where(mask, inputs, tf.constant(-1e9, inputs.dtype))
        axis = self.axis
        if isinstance(axis, (list, tuple)) and len(axis) == 1:
            axis = axis[0]
        outputs = activations.softmax(inputs, axis=axis)
        return outputs if mask is None else tf.where(mask, outputs, tf.zeros_like(outputs))

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


def _broadcastable_mask(inputs: tf.Tensor, mask: Any) -> tf.Tensor:
    """``mask`` as a boolean tensor after keras's checks (no more dimensions than ``inputs``,
    each trailing dimension 1 or equal); a numeric mask keeps entries > 0.5."""
    mask = tf.convert_to_tensor(mask)
    if mask.shape.rank > inputs.shape.rank:
        raise ValueError("The `mask` must be broadcastable to `inputs` and must not have more "
                         f"dimensions. Received: inputs.shape={inputs.shape}, "
                         f"mask.shape={mask.shape}")
    for m_dim, i_dim in zip(mask.shape[::-1], inputs.shape[::-1]):
        if m_dim is not None and i_dim is not None and m_dim not in (1, i_dim):
            raise ValueError("The `mask` must be broadcastable to `inputs`. Each mask "
                             "dimension must be 1 or match the corresponding input dimension. "
                             f"Received: inputs.shape={inputs.shape}, mask.shape={mask.shape}")
    if mask.dtype != tf.bool:
        mask = tf.greater(mask, tf.cast(0.5, mask.dtype))
    return mask


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
        if inputs.shape.rank == 1:  # one scalar per sample: a column, as keras
            return tf.expand_dims(inputs, -1)
        if self.data_format == "channels_first":
            rank = inputs.shape.rank
            inputs = tf.transpose(inputs, [0] + list(range(2, rank)) + [1])
        flat = self.compute_output_shape(tuple(inputs.shape.as_list()))[1]
        if flat is None:  # a dimension known only at run time
            shape = tf.shape(inputs)
            return tf.reshape(inputs, tf.stack([shape[0], tf.reduce_prod(shape[1:])]))
        return tf.reshape(inputs, (-1, flat))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        rest = tuple(input_shape[1:])
        size = None if any(d is None for d in rest) else math.prod(rest)
        return (input_shape[0], size)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format}


__all__ = ["Activation", "Dropout", "Flatten", "Input", "InputLayer", "Softmax"]
