"""The Layer base class: a `tf.Module` that creates its variables lazily on its first input."""
from __future__ import annotations

import collections
import re
from typing import Any, Sequence

import numpy as np
import tensorflow as tf

_name_counts: collections.Counter = collections.Counter()


def unique_name(base: str) -> str:
    """Returns ``base``, then ``base_1``, ``base_2``... as keras names new layers."""
    count = _name_counts[base]
    _name_counts[base] += 1
    return base if count == 0 else f"{base}_{count}"


def snake_case(name: str) -> str:
    """``"MyLayer"`` -> ``"my_layer"``: an underscore before every capital but the first."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def as_shape(shape: Any, arg: str = "input_shape") -> tuple:
    """Normalizes a user-given shape to a tuple of ints or None."""
    if isinstance(shape, (tf.TensorShape,)):
        return tuple(shape.as_list())
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    if not isinstance(shape, (tuple, list)):
        raise TypeError(f"Expected `{arg}` to be a tuple of integers. Received: {arg}={shape!r}")
    out = []
    for dim in shape:
        if dim is not None and (isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or dim < 0):
            raise ValueError(
                f"Expected `{arg}` to hold non-negative integers or None. Received: {arg}={shape!r}"
            )
        out.append(None if dim is None else int(dim))
    return tuple(out)


class Layer(tf.Module):
    """Base class of minikeras layers.

    A layer is a `tf.Module`: its `tf.Variable`s are tracked (and checkpointable) for free.
    Subclasses implement `build(input_shape)` to create variables with `add_weight` and
    `call(x, training=False)` for the computation. The first `__call__` builds the layer from the
    input's shape; later calls check the input against the built shape.

    Args:
      name: Layer name; defaults to the snake-cased class name made unique (``dense_1``).
      trainable: Whether the layer's weights are updated by training. Default True.
      input_shape: Optional shape of one sample (without the batch dimension), as in
        ``Dense(4, input_shape=(2,))``; used by `Sequential` to build early.
      dtype: Only None or float32 (layers compute in float32). Default None.
    """

    def __init__(self, name: str | None = None, trainable: bool = True,
                 input_shape: Sequence[int | None] | None = None, dtype: Any = None):
        if name is not None and not isinstance(name, str):
            raise TypeError(f"Expected `name` to be a string. Received: name={name!r}")
        name = name or unique_name(snake_case(type(self).__name__))
        super().__init__(name=re.sub(r"\W", "_", name))
        self._layer_name = name
        self.trainable = bool(trainable)
        self.built = False
        self.input_spec_shape: tuple | None = None  # full shape (batch first) the layer was built for
        self._weights: list[tf.Variable] = []
        self._regularizers: list[tuple[tf.Variable, Any]] = []
        self._declared_input_shape = None if input_shape is None else (None,) + as_shape(input_shape)
        if dtype not in (None, "float32", tf.float32):
            raise ValueError(f"minikeras layers compute in float32. Received: dtype={dtype!r}")

    # ---- naming -------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """The name as given; keras names may hold characters `tf.Module` names cannot."""
        return self._layer_name

    # ---- building -----------------------------------------------------------------------
    def build(self, input_shape: tuple) -> None:
        """Creates the layer's variables for inputs of ``input_shape`` (batch dimension first)."""
        self.input_spec_shape = tuple(input_shape)
        self.built = True

    def weight_shapes(self, input_shape: tuple) -> list[tuple[str, tuple]] | None:
        """``(name, shape)`` of every weight the layer will have once built for
        ``input_shape``, without creating any; None when it cannot tell (a subclass with its
        own `build` that does not override this). Loading checks a file against these before
        allocating anything. Without a `build` of its own, a layer has the weights it has now
        (none, or those its constructor made)."""
        if type(self).build is not Layer.build:
            return None
        return [(w.name.split(":")[0], tuple(w.shape)) for w in self._weights]

    def _maybe_build(self, input_shape: tuple) -> None:
        if not self.built:
            # Variables are made eagerly even when the first call is traced by tf.function.
            with tf.init_scope():
                self.build(tuple(input_shape))
            self.built = True
            if self.input_spec_shape is None:
                self.input_spec_shape = tuple(input_shape)

    def add_weight(self, name: str, shape: Sequence[int], initializer: Any,
                   regularizer: Any = None, trainable: bool = True) -> tf.Variable:
        """Creates a float32 `tf.Variable` initialized by ``initializer(shape)`` and tracks it."""
        value = initializer(tuple(shape), dtype=tf.float32)
        var = tf.Variable(value, trainable=trainable, name=name, dtype=tf.float32)
        self._weights.append(var)
        if regularizer is not None:
            self._regularizers.append((var, regularizer))
        return var

    # ---- calling ------------------------------------------------------------------------
    def __call__(self, inputs: Any, training: bool = False) -> tf.Tensor:
        """Converts ``inputs`` to float32, builds the layer on first use, checks the input shape
        and returns ``call(inputs, training)``."""
        return self.call_with_logits(inputs, training=training)[0]

    def call_with_logits(self, inputs: Any, training: bool = False,
                         logits: tf.Tensor | None = None) -> tuple[tf.Tensor, tf.Tensor | None]:
        """Calls the layer and also returns the pre-activation logits of a sigmoid/softmax output.

        Crossentropy losses computed on sigmoid or softmax outputs use these logits, as keras
        does, for numerical stability. ``logits`` are those of ``inputs``; a layer that passes
        its input through unchanged keeps them, any other layer drops them unless it ends in a
        sigmoid or softmax itself (see `Dense`, `Activation`, `Softmax`).
        """
        x = self._convert_input(inputs)
        self._maybe_build(x.shape)
        self._check_input_shape(x.shape)
        out = self.call(x, training=training)
        return out, (logits if out is x else None)

    def call(self, inputs: tf.Tensor, training: bool = False) -> tf.Tensor:
        """The layer's computation on a float32 tensor; the base layer is the identity."""
        return inputs

    def _convert_input(self, inputs: Any) -> tf.Tensor:
        if isinstance(inputs, (tf.Tensor, tf.Variable)):
            x = tf.convert_to_tensor(inputs)
            return x if x.dtype == tf.float32 else tf.cast(x, tf.float32)
        return tf.convert_to_tensor(np.asarray(inputs, dtype=np.float32))

    def _check_input_shape(self, shape: tf.TensorShape, expected: tuple | None = None) -> None:
        expected = expected or self.input_spec_shape
        if expected is None:
            return
        received = tuple(shape.as_list())
        ok = len(received) == len(expected) and all(
            e is None or r is None or e == r for e, r in zip(expected[1:], received[1:]))
        if not ok:
            raise ValueError(
                f"Input of layer '{self.name}' is incompatible with the layer: expected shape="
                f"{(None,) + tuple(expected[1:])}, found shape={received}")

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        """The output shape for inputs of ``input_shape`` (batch first); the base keeps it."""
        return tuple(input_shape)

    # ---- weights ------------------------------------------------------------------------
    @property
    def weights(self) -> list[tf.Variable]:
        """All the layer's weights, in creation order."""
        return list(self._weights)

    @property
    def trainable_weights(self) -> list[tf.Variable]:
        """The weights training updates (none when the layer is not trainable)."""
        return [w for w in self._weights if w.trainable] if self.trainable else []

    @property
    def non_trainable_weights(self) -> list[tf.Variable]:
        """The other weights (all of them when the layer is not trainable)."""
        return [w for w in self._weights if not (w.trainable and self.trainable)]

    # tf.Module discovers variables by walking attributes; keras order comes from _weights.
    @property
    def variables(self) -> tuple:
        """`weights` as a tuple."""
        return tuple(self.weights)

    @property
    def trainable_variables(self) -> tuple:
        """`trainable_weights` as a tuple."""
        return tuple(self.trainable_weights)

    def get_weights(self) -> list[np.ndarray]:
        """The current values of `weights`, as NumPy arrays in the same order."""
        return [w.numpy() for w in self.weights]

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Sets weights from NumPy arrays in `get_weights` order; checks all before assigning."""
        own = self.weights
        weights = list(weights)
        if len(weights) != len(own):
            raise ValueError(
                f"Layer '{self.name}' expects {len(own)} weights, but set_weights received "
                f"{len(weights)}.")
        arrays = []
        for var, value in zip(own, weights):
            arr = np.asarray(value, dtype=np.float32)
            if tuple(arr.shape) != tuple(var.shape):
                raise ValueError(
                    f"Layer '{self.name}' weight '{var.name}' has shape {tuple(var.shape)}, "
                    f"received an array of shape {tuple(arr.shape)}.")
            arrays.append(arr)
        for var, arr in zip(own, arrays):
            var.assign(arr)

    def count_params(self) -> int:
        """The number of scalars in the layer's weights; raises ValueError if it is not built."""
        if not self.built:
            raise ValueError(
                f"Layer '{self.name}' is not built yet, so it has no weights to count. Call it "
                "on an input or build it first.")
        return int(sum(np.prod(w.shape) for w in self.weights))

    @property
    def losses(self) -> list[tf.Tensor]:
        """Regularization penalties of this layer's trainable weights (frozen weights add none,
        as in keras), computed from their current values."""
        trainable = {w.ref() for w in self.trainable_weights}
        return [reg(var) for var, reg in self._regularizers if var.ref() in trainable]

    def get_config(self) -> dict:
        """The constructor arguments (subclasses add theirs), for saving and cloning."""
        return {"name": self.name, "trainable": self.trainable}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"
