"""Symbolic tensors and nodes: the graph of layer calls that the functional API records.

``x = Input(shape=(4,))`` is a `SymbolicTensor`: a shape and a dtype, no values. Calling a
layer on symbolic tensors builds the layer, works out the output's shape and records a `Node`
(the layer, the tensors it was called on, the keyword arguments, the tensors it produced);
``Model(inputs, outputs)`` then walks these nodes back from the outputs to the inputs. No
TensorFlow graph is involved: only shapes, and the layers themselves.
"""
from __future__ import annotations

from typing import Any

import tensorflow as tf


class SymbolicTensor:
    """A placeholder for a batch of values: ``shape`` (batch first, None for unknown) and
    ``dtype``, produced by ``node`` (output number ``index``). Never sparse or ragged."""

    sparse = False
    ragged = False

    def __init__(self, shape: tuple, dtype: Any = "float32", node: Node | None = None,
                 index: int = 0, name: str | None = None):
        self.shape = tuple(shape)
        self.dtype = tf.as_dtype(dtype).name
        self.node = node
        self.index = index
        self.name = name or (node.layer.name if node is not None else "tensor")

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return (f"<SymbolicTensor shape={self.shape}, dtype={self.dtype}, "
                f"name={self.name}>")

    # Python operators record an `Operation` node (layers/operations.py), as keras's ops do.
    def _op(self, op: str, *operands: Any, key: Any = None) -> Any:
        from minikeras.layers import operations  # it imports the Layer, which imports this
        return operations.apply(op, list(operands), key=key)

    def __add__(self, other: Any) -> Any:
        return self._op("Add", self, other)

    def __radd__(self, other: Any) -> Any:
        return self._op("Add", other, self)

    def __sub__(self, other: Any) -> Any:
        return self._op("Subtract", self, other)

    def __rsub__(self, other: Any) -> Any:
        return self._op("Subtract", other, self)

    def __mul__(self, other: Any) -> Any:
        return self._op("Multiply", self, other)

    def __rmul__(self, other: Any) -> Any:
        return self._op("Multiply", other, self)

    def __truediv__(self, other: Any) -> Any:
        return self._op("TrueDivide", self, other)

    def __rtruediv__(self, other: Any) -> Any:
        return self._op("TrueDivide", other, self)

    def __floordiv__(self, other: Any) -> Any:
        return self._op("FloorDivide", self, other)

    def __mod__(self, other: Any) -> Any:
        return self._op("Mod", self, other)

    def __pow__(self, other: Any) -> Any:
        return self._op("Power", self, other)

    def __matmul__(self, other: Any) -> Any:
        return self._op("Matmul", self, other)

    # comparisons (no __eq__/__ne__: a tensor stays hashable and comparable by identity)
    def __lt__(self, other: Any) -> Any:
        return self._op("Less", self, other)

    def __le__(self, other: Any) -> Any:
        return self._op("LessEqual", self, other)

    def __gt__(self, other: Any) -> Any:
        return self._op("Greater", self, other)

    def __ge__(self, other: Any) -> Any:
        return self._op("GreaterEqual", self, other)

    def __neg__(self) -> Any:
        return self._op("Negative", self)

    def __abs__(self) -> Any:
        return self._op("Absolute", self)

    def __getitem__(self, key: Any) -> Any:
        return self._op("GetItem", self, key=key)

    def __len__(self) -> int:
        raise TypeError("A symbolic tensor has no length: it stands for a batch of unknown "
                        "size. Use `tensor.shape` instead.")

    def __bool__(self) -> bool:
        raise TypeError("A symbolic tensor has no truth value: it holds no values yet. Write "
                        "the computation as layers, or in a custom layer's `call`.")


class Node:
    """One call of ``layer`` on symbolic ``inputs`` (any nest) and further positional
    ``args``, with keyword ``kwargs``, that produced ``outputs``."""

    def __init__(self, layer: Any, inputs: Any, kwargs: dict, args: tuple = ()):
        self.layer = layer
        self.inputs = inputs
        self.args = tuple(args)
        self.kwargs = kwargs
        self.outputs: Any = None

    @property
    def flat_inputs(self) -> list[SymbolicTensor]:
        return [t for t in tf.nest.flatten((self.inputs, self.args, self.kwargs))
                if isinstance(t, SymbolicTensor)]

    @property
    def flat_outputs(self) -> list[SymbolicTensor]:
        return tf.nest.flatten(self.outputs)

    @property
    def parents(self) -> list[Node]:
        """The nodes that produced this node's inputs."""
        return [t.node for t in self.flat_inputs if t.node is not None]


def is_symbolic(inputs: Any) -> bool:
    """Whether ``inputs`` (any nest) holds a symbolic tensor."""
    return any(isinstance(t, SymbolicTensor) for t in tf.nest.flatten(inputs))


def output_spec(layer: Any, inputs: Any, kwargs: dict, args: tuple = ()) -> Any:
    """The shapes and dtypes of ``layer.call``'s outputs on ``inputs``: traced once with
    TensorFlow on specs of the inputs' shapes (no values are computed), so any layer, custom
    ones included, works without a `compute_output_shape` of its own."""
    symbolic_kwargs = {k: v for k, v in kwargs.items() if is_symbolic(v)}
    specs = tf.nest.map_structure(
        lambda t: tf.TensorSpec(t.shape, t.dtype) if isinstance(t, SymbolicTensor) else t,
        (inputs, tuple(args), symbolic_kwargs))

    def call(values: Any, rest: tuple, tensors: dict) -> Any:
        return layer.call(values, *rest, **{**kwargs, **tensors})

    graph_fn = tf.function(call, autograph=False)
    try:
        concrete = graph_fn.get_concrete_function(*specs)
    except (TypeError, ValueError) as err:
        raise ValueError(
            f"Layer '{layer.name}' could not be called on symbolic inputs of shape "
            f"{tf.nest.map_structure(lambda t: t.shape, inputs)}: {err}") from None
    return concrete.structured_outputs
