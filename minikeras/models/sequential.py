"""Sequential: a stack of layers, each feeding the next, with keras's training API."""
from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

import tensorflow as tf

from minikeras.layers.core import InputLayer
from minikeras.layers.layer import Layer, as_shape
from minikeras.layers.symbolic import SymbolicTensor
from minikeras.models.model import Model
from minikeras.saving.config import build_model, model_config, register_model_class


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
      >>> import numpy as np
      >>> from minikeras import Input, Sequential
      >>> from minikeras.layers import Dense
      >>> from minikeras.optimizers import SGD
      >>> x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype="float32")
      >>> y = np.array([0.0, 1.0, 1.0, 1.0], dtype="float32")   # logical or
      >>> model = Sequential([Input(shape=(2,)), Dense(1, activation="sigmoid")])
      >>> model.compile(optimizer=SGD(0.1), loss="binary_crossentropy", metrics=["accuracy"])
      >>> history = model.fit(x, y, epochs=10, verbose=0)
      >>> sorted(history.history), len(history.history["loss"])
      (['accuracy', 'loss'], 10)
    """

    def __init__(self, layers: Sequence[Layer] | None = None, trainable: bool = True,
                 name: str | None = None):
        super().__init__(name=name, trainable=trainable)
        self._layers: list[Layer] = []
        self._input_layer: InputLayer | None = None
        self._symbolic: tuple | None = None  # (inputs, outputs), made when first asked for
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

    @layers.setter
    def layers(self, _: Any) -> None:
        raise AttributeError(
            "`Sequential.layers` attribute is reserved and should not be used. "
            "Use `add()` and `pop()` to change the layers in this model.")

    def add(self, layer: Layer) -> None:
        """Appends a layer; builds it at once when the model's input shape is already known."""
        if isinstance(layer, SymbolicTensor) and isinstance(layer.node.layer, InputLayer):
            layer = layer.node.layer  # Sequential([Input((2,)), ...]) as keras
        if not isinstance(layer, Layer):
            raise ValueError(
                "Only instances of `keras.Layer` can be added to a Sequential model (minikeras "
                f"layers). Received: {layer!r} (of type {type(layer)})")
        if layer is self:
            raise ValueError("A Sequential cannot be added to itself.")
        if isinstance(layer, InputLayer) and self._input_layer is not None:
            raise ValueError(
                f"Sequential model '{self.name}' has already been configured to use input "
                f"shape {self._input_layer.batch_shape}. You cannot add a different Input "
                "layer to it.")
        if any(layer.name == other.name and layer is not other for other in self._layers):
            raise ValueError(
                "All layers added to a Sequential model should have unique names. Name "
                f"'{layer.name}' is already the name of a layer in this model. Update the "
                "`name` argument to pass a unique name.")
        self._symbolic = None
        if isinstance(layer, InputLayer):
            if self._layers:
                raise ValueError(
                    "An Input/InputLayer can only be the first entry of a Sequential; "
                    f"this model already has layers: {[l.name for l in self._layers]}")
            object.__setattr__(self, "_input_layer", layer)  # no variables: not tracked
            self.build(layer._declared_input_shape)
            return
        if any(layer is existing for existing in self._layers):
            raise ValueError(f"Layer '{layer.name}' is already in this Sequential.")
        _check_masks(self._layers + [layer])
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
        self._symbolic = None
        return self._layers.pop()

    def build(self, input_shape: Sequence[int | None] | None = None) -> None:
        """Builds every layer for inputs of ``input_shape`` (batch first, e.g. ``(None, 2)``).

        With no ``input_shape``, the shape given by an `Input` first layer (or a first layer's
        ``input_shape=``) is used.
        """
        if not self._layers and self._input_layer is None:
            raise ValueError(f"Sequential model {self.name} cannot be built because it has no "
                             "layers. Call `model.add(layer)`.")
        if input_shape is None:
            declared = (self._input_layer._declared_input_shape if self._input_layer is not None
                        else self._layers[0]._declared_input_shape if self._layers else None)
            if declared is None:
                raise ValueError(
                    f"Model '{self.name}' has no Input, so build() needs an `input_shape` such "
                    "as (None, 2). Received: input_shape=None")
            input_shape = declared
        shape = as_shape(input_shape, "input_shape")
        if len(shape) < 1:
            raise ValueError(
                "Expected `input_shape` to include the batch dimension, e.g. (None, 2). "
                f"Received: input_shape={tuple(input_shape)}")
        if self._input_layer is not None and shape[1:] != self._input_layer.shape:
            raise ValueError(
                f"Sequential model '{self.name}' has already been configured to use input "
                f"shape {self._input_layer.batch_shape}. You cannot build it with input_shape "
                f"{tuple(input_shape)}")
        shape = (None,) + shape[1:]
        _check_masks(self._layers)
        for layer in self._layers:
            _check_single_positional(layer)
        self.input_spec_shape = shape
        self._symbolic = None
        for layer in self._layers:
            layer._maybe_build(shape)
            shape = layer.compute_output_shape(shape)
        self.built = True

    def _maybe_build(self, input_shape: Any) -> None:
        if not self._layers:
            raise ValueError(f"Sequential model {self.name} cannot be built because it has no "
                             "layers. Call `model.add(layer)`.")
        if not self.built and _is_flat_shape(input_shape):
            self.build(input_shape)
        # Other inputs (a dict or list of tensors) leave the model unbuilt, as keras: each
        # layer then builds on its first call.

    # ---- keras's functional view ----------------------------------------------------------------
    def _functional_view(self, what: str) -> tuple:
        if not self.built or self.input_spec_shape is None:
            raise AttributeError(f"Sequential model '{self.name}' has no defined {what} yet.")
        if self._symbolic is None:
            entry = self._input_layer or InputLayer(batch_shape=self.input_spec_shape)
            x = entry.output
            for layer in self._layers:
                x = layer(x)
            self._symbolic = ([entry.output], [x])
        return self._symbolic

    @property
    def inputs(self) -> list[SymbolicTensor]:
        """The model's symbolic input, as a list (AttributeError until the shape is known)."""
        return self._functional_view("inputs")[0]

    @property
    def outputs(self) -> list[SymbolicTensor]:
        """The model's symbolic output, as a list (AttributeError until the shape is known)."""
        return self._functional_view("outputs")[1]

    @property
    def input_shape(self) -> tuple:
        """The built input shape, batch first (AttributeError until it is known)."""
        if not self.built or self.input_spec_shape is None:
            raise AttributeError(f"Sequential model '{self.name}' has no defined input shape "
                                 "yet.")
        return self.input_spec_shape

    @property
    def output_shape(self) -> Any:
        """The output shape for the built input shape (AttributeError until it is known)."""
        if not self.built or self.input_spec_shape is None:
            raise AttributeError(f"Sequential model '{self.name}' has no defined output shape "
                                 "yet.")
        return self.compute_output_shape(self.input_spec_shape)

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

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Sequential:
        """Rebuilds a Sequential from `get_config`'s dict (built when it was)."""
        return build_model({"class_name": "Sequential", "config": config}, custom_objects)


def _is_flat_shape(shape: Any) -> bool:
    return isinstance(shape, (tuple, list)) and all(
        d is None or isinstance(d, int) for d in shape)


def _check_masks(layers: Sequence[Layer]) -> None:
    """A layer that would consume keras's mask (an RNN, GlobalAveragePooling1D) after an
    ``Embedding(mask_zero=True)``: keras skips the padded steps there, minikeras cannot yet,
    so it refuses rather than compute other numbers."""
    masked = None
    for layer in layers:
        if getattr(layer, "mask_zero", False):
            masked = layer
        elif masked is not None and getattr(layer, "consumes_masks", False):
            raise ValueError(
                f"Layer '{layer.name}' follows '{masked.name}' with mask_zero=True: keras "
                "would skip the padded steps, and minikeras layers do not consume masks yet. "
                "Use mask_zero=False (padding then counts as input).")


def _check_single_positional(layer: Layer) -> None:
    """keras's rule: a layer in a Sequential takes one required positional argument."""
    params = [p for p in inspect.signature(layer.call).parameters.values()
              if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    required = [p for p in params if p.default is p.empty]
    if not params:
        raise ValueError("Layers added to a Sequential model should have a single positional "
                         f"argument, the input tensor. Layer {type(layer).__name__} has no "
                         "positional arguments.")
    if len(required) > 1:
        raise ValueError("Layers added to a Sequential model can only have a single required "
                         f"positional argument, the input tensor. Layer {type(layer).__name__} "
                         f"has multiple required positional arguments: {required}")
