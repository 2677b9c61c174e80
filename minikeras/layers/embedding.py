"""Embedding: integer indices to dense vectors, ``output[..., :] = embeddings[index]``."""
from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf

from minikeras import _validation, constraints, initializers, regularizers
from minikeras._registry import serialize_or_custom
from minikeras.layers.convolution import serialize_optional
from minikeras.layers.layer import Layer


class Embedding(Layer):
    """Looks up a row of a trainable ``(input_dim, output_dim)`` matrix for each index:
    ``output[b, ..., :] = embeddings[inputs[b, ...], :]``, so the output has the input's shape
    plus ``output_dim``.

    Inputs are integer indices; other dtypes (the fit engine feeds float32) are cast to int32
    first, as keras does (floats are truncated). Indices in ``[-input_dim, 0)`` count from the
    end (keras's ``ops.take``). Any other out-of-range index raises
    ``tf.errors.InvalidArgumentError`` from TensorFlow's gather op on CPU ("indices[...] = 5 is
    not in [0, 5)"; ResourceGather here, GatherV2 in keras's TensorFlow backend, which raises
    the same way); on GPU, TensorFlow returns zeros for such rows instead.

    Args:
      input_dim: Positive integer, the vocabulary size (largest index + 1).
      output_dim: Positive integer, the length of each vector.
      embeddings_initializer: Default "uniform" (RandomUniform(-0.05, 0.05)).
      embeddings_regularizer: Optional penalty on the matrix. Default None.
      embeddings_constraint: Optional projection applied after each update. Default None.
      mask_zero: Whether index 0 is padding. `compute_mask` then returns keras's mask
        (``inputs != 0``) and ``supports_masking`` is True; minikeras layers do not propagate
        masks, so it changes no computation of the model. Default False.
      **kwargs: ``name``, and ``weights``: an optional initial matrix (or a list holding it),
        as keras's `weights=`.

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.layers import Embedding
      >>> Embedding(1000, 8)(tf.constant([[4, 20, 7]])).shape
      TensorShape([1, 3, 8])
    """

    _float_inputs = False  # indices stay integers

    def __init__(self, input_dim: int, output_dim: int,
                 embeddings_initializer: Any = "uniform", embeddings_regularizer: Any = None,
                 embeddings_constraint: Any = None, mask_zero: bool = False, **kwargs: Any):
        for arg, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not _validation.is_int(value) or value <= 0:
                raise ValueError(f"`{arg}` must be a positive integer. Received: {arg}={value!r}"
                                 f" (of type {type(value).__name__}).")
        if kwargs.pop("input_length", None) is not None:
            pass  # deprecated in keras 3 (a warning there); ignored
        mask_zero = _validation.boolean(mask_zero, "mask_zero")
        weights = kwargs.pop("weights", None)
        if weights is not None:
            if not (isinstance(weights, list) and len(weights) == 1):
                weights = [weights]
            if np.shape(weights[0]) != (input_dim, output_dim):
                raise ValueError(f"Expected `weights` of shape {(input_dim, output_dim)} "
                                 f"(input_dim, output_dim). Received: weights of shape "
                                 f"{np.shape(weights[0])}")
        super().__init__(**kwargs)
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = mask_zero
        self.supports_masking = mask_zero  # keras's flag
        self.embeddings: tf.Variable | None = None
        if weights is not None:  # keras's `weights=`: the initial matrix, or [matrix]
            self.build()
            self.set_weights(weights)

    def build(self, input_shape: Any = None) -> None:
        """Creates ``embeddings`` of shape ``(input_dim, output_dim)`` (any input shape)."""
        self.embeddings = self.add_weight(shape=(self.input_dim, self.output_dim),
                                          initializer=self.embeddings_initializer,
                                          regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint,
                                          trainable=True, name="embeddings")
        self.built = True

    def weight_shapes(self, input_shape: Any) -> list[tuple[str, tuple]]:
        """``embeddings`` of shape ``(input_dim, output_dim)``."""
        return [("embeddings", (self.input_dim, self.output_dim))]

    def call(self, inputs: tf.Tensor) -> tf.Tensor:
        if inputs.dtype not in (tf.int32, tf.int64):
            inputs = tf.cast(inputs, tf.int32)
        inputs = tf.where(inputs < 0, inputs + tf.cast(self.input_dim, inputs.dtype), inputs)
        return tf.gather(self.embeddings, inputs, axis=0)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return tuple(input_shape) + (self.output_dim,)

    def compute_mask(self, inputs: Any, mask: Any = None) -> tf.Tensor | None:
        """keras's padding mask: ``inputs != 0`` when ``mask_zero``, else None."""
        return tf.not_equal(tf.convert_to_tensor(inputs), 0) if self.mask_zero else None

    def get_config(self) -> dict:
        return {**super().get_config(), "input_dim": self.input_dim,
                "output_dim": self.output_dim,
                "embeddings_initializer": serialize_or_custom(self.embeddings_initializer,
                                                              initializers.serialize),
                "embeddings_regularizer": serialize_optional(self.embeddings_regularizer,
                                                             regularizers),
                "embeddings_constraint": serialize_optional(self.embeddings_constraint,
                                                            constraints),
                "mask_zero": self.mask_zero}
