"""Sequential: a stack of layers, each feeding the next, with keras's training API."""
from __future__ import annotations

from collections.abc import Sequence

import tensorflow as tf

from minikeras.layers.core import InputLayer
from minikeras.layers.layer import Layer, as_shape
from minikeras.layers.symbolic import SymbolicTensor
from minikeras.models.model import Model
from minikeras.saving.config import model_config, register_model_class


@register_model_class
class Sequential(Model):
    """A linear stack of layers: ``Sequential([Input((2,)), Dense(8, "tanh"), Dense(1)])``.

    The model builds when its input shape is known: from an `Input`/`InputLayer` first entry,
    a first layer's ``input_shape=``, an explicit `build(input_shape)`, or the first data it
    sees. A Sequential is itself a layer and can be nested in another.

    Args:
      layers: Optional list of layers to add in order.
      name: Optional name.

    Example:
      >>> model = Sequential([Input(shape=(2,)), Dense(1, activation="sigmoid")])
      >>> model.compile(optimizer=SGD(0.1), loss="binary_crossentropy", metrics=["accuracy"])
      >>> history = model.fit(x, y, epochs=10)
    """

    def __init__(self, layers: Sequence[Layer] | None = None, trainable: bool = True,
                 name: str | None = None):
        super().__init__(name=name, trainable=trainable)
        self._layers: list[Layer] = []
        self._input_layer: InputLayer | None = None
        if layers is not None:
            if isinstance(layers, Layer) or not isinstance(layers, (list, tuple)):
                raise TypeError(f"Expected `layers` to be a list of layers. Received: {layers!r}")
            for layer in layers:
                self.add(layer)

    # ---- structure ----------------------------------------------------------------------------
    @property
    def layers(self) -> list[Layer]:
        """The model's layers, without the input layer (as keras)."""
        return list(self._layers)

    def add(self, layer: Layer) -> None:
        """Appends a layer; builds it at once when the model's input shape is already known."""
        if isinstance(layer, SymbolicTensor) and isinstance(layer.node.layer, InputLayer):
            layer = layer.node.layer  # Sequential([Input((2,)), ...]) as keras
        if not isinstance(layer, Layer):
            raise TypeError(
                "Only minikeras layers can be added to a Sequential. Received: "
                f"{layer!r} of type {type(layer).__name__}")
        if layer is self:
            raise ValueError("A Sequential cannot be added to itself.")
        if isinstance(layer, InputLayer):
            if self._layers or self._input_layer is not None:
                raise ValueError(
                    "An Input/InputLayer can only be the first entry of a Sequential; "
                    f"this model already has layers: {[l.name for l in self._layers]}")
            self._input_layer = layer
            self.build(layer._declared_input_shape)
            return
        if any(layer is existing for existing in self._layers):
            raise ValueError(f"Layer '{layer.name}' is already in this Sequential.")
        self._layers.append(layer)
        self._forget_compiled_functions()
        if self.built:
            shape = self.compute_output_shape(self.input_spec_shape, self._layers[:-1])
            layer._maybe_build(shape)
        elif len(self._layers) == 1 and layer._declared_input_shape is not None:
            self.build(layer._declared_input_shape)

    def pop(self) -> Layer:
        """Removes and returns the last layer."""
        if not self._layers:
            raise ValueError("There are no layers in this Sequential to pop.")
        self._forget_compiled_functions()
        return self._layers.pop()

    def build(self, input_shape: Sequence[int | None] | None = None) -> None:
        """Builds every layer for inputs of ``input_shape`` (batch first, e.g. ``(None, 2)``).

        With no ``input_shape``, the shape given by an `Input` first layer (or a first layer's
        ``input_shape=``) is used.
        """
        if input_shape is None:
            declared = (self._input_layer._declared_input_shape if self._input_layer is not None
                        else self._layers[0]._declared_input_shape if self._layers else None)
            if declared is None:
                raise ValueError(
                    f"Model '{self.name}' has no Input, so build() needs an `input_shape` such "
                    "as (None, 2). Received: input_shape=None")
            input_shape = declared
        shape = as_shape(input_shape, "input_shape")
        if len(shape) < 2:
            raise ValueError(
                "Expected `input_shape` to include the batch dimension, e.g. (None, 2). "
                f"Received: input_shape={tuple(input_shape)}")
        shape = (None,) + shape[1:]
        self.input_spec_shape = shape
        for layer in self._layers:
            layer._maybe_build(shape)
            shape = layer.compute_output_shape(shape)
        self.built = True

    def _maybe_build(self, input_shape: tuple) -> None:
        if not self.built:
            self.build(input_shape)
            self.built = True

    def compute_output_shape(self, input_shape: tuple,
                             layers: Sequence[Layer] | None = None) -> tuple:
        shape = tuple(input_shape)
        for layer in self._layers if layers is None else layers:
            shape = layer.compute_output_shape(shape)
        return shape

    # ---- calling ------------------------------------------------------------------------------
    def call(self, inputs: tf.Tensor, training: bool | None = None) -> tf.Tensor:
        x = inputs
        for layer in self._layers:
            x = layer(x, training=training)
        return x

    # ---- weights ------------------------------------------------------------------------------
    def _direct_sublayers(self) -> list[Layer]:
        return list(self._layers)

    def weight_shapes(self, input_shape: tuple) -> list[tuple[str, tuple]] | None:
        """``(layer/weight name, shape)`` of every weight, in `get_weights` order, that building
        for ``input_shape`` would create; None if a layer cannot tell."""
        shapes, shape = [], tuple(input_shape)
        for layer in self._layers:
            own = layer.weight_shapes(shape)
            if own is None:
                return None
            shapes += [(name if "/" in name else f"{layer.name}/{name}", s) for name, s in own]
            shape = layer.compute_output_shape(shape)
        return shapes

    def get_config(self) -> dict:
        return model_config(self)["config"]
