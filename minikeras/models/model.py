"""Model: a layer that trains. The base of Sequential, functional and subclassed models.

Three ways to make one, as in keras:

    model = Sequential([Input((4,)), Dense(8, "relu"), Dense(1)])   # a stack
    inputs = Input((4,)); outputs = Dense(1)(Dense(8, "relu")(inputs))
    model = Model(inputs, outputs)                                 # a graph (functional)
    class MyModel(Model):                                          # your own call
        def __init__(self):
            super().__init__()
            self.hidden, self.out = Dense(8, "relu"), Dense(1)
        def call(self, inputs, training=None):
            return self.out(self.hidden(inputs))

All three share the one engine (`models/trainer.py`), saving and summary.
"""
from __future__ import annotations

import inspect
import os
import tempfile
from collections.abc import Callable
from typing import Any

import tensorflow as tf

from minikeras import saving
from minikeras.layers.layer import Layer
from minikeras.layers.symbolic import SymbolicTensor, output_spec
from minikeras.models.summary import print_summary
from minikeras.models.trainer import Trainer
from minikeras.saving.export import export_saved_model


class Model(Trainer, Layer):
    """A layer with compile, fit, evaluate, predict, save and summary.

    ``Model(inputs, outputs, name=None)`` makes a functional model (see
    `minikeras.models.functional.Functional`); a subclass writes ``__init__`` (creating its
    layers as attributes, which tracks them and their weights) and
    ``call(inputs, training=None)``. A subclass may also override ``train_step(data)`` and
    ``test_step(data)`` (keras's "customizing what happens in fit"), ``compute_loss`` and
    ``metrics``; they run inside the same compiled loop as the built-in steps.

    Args:
      name: Optional name.
      trainable: Default True.
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> Model:
        if cls is Model and (args or "inputs" in kwargs or "outputs" in kwargs):
            from minikeras.models.functional import Functional  # a subclass of this class
            return super().__new__(Functional)
        return super().__new__(cls)

    def __init__(self, *args: Any, trainable: bool = True, name: str | None = None,
                 **kwargs: Any):
        if len(args) == 2 or "inputs" in kwargs or "outputs" in kwargs:
            # A subclass calling super().__init__(inputs, outputs): a functional subclass, as
            # keras makes it (its class now derives from Functional instead of Model).
            from minikeras.models.functional import Functional
            _inject_functional(type(self), Functional)
            Functional.__init__(self, *args, trainable=trainable, name=name, **kwargs)
            return
        if args:
            raise TypeError(f"{type(self).__name__}.__init__ takes keyword arguments only "
                            f"(inputs and outputs make a functional Model). Received: {args}")
        super().__init__(name=name, trainable=trainable, **kwargs)
        self._init_trainer()

    # ---- structure ----------------------------------------------------------------------
    @property
    def layers(self) -> list[Layer]:
        """The model's layers (a subclassed model's: those assigned as attributes)."""
        return self._direct_sublayers()

    @layers.setter
    def layers(self, _: Any) -> None:
        raise AttributeError("`Model.layers` attribute is reserved and should not be used. "
                             "Please use another name.")

    def get_layer(self, name: str | None = None, index: int | None = None) -> Layer:
        """The layer called ``name``, or at position ``index`` of `layers`."""
        if (name is None) == (index is None):
            raise ValueError("Provide exactly one of `name` or `index` to get_layer(). "
                             f"Received: name={name!r}, index={index!r}")
        layers = self.layers
        if index is not None:
            if not -len(layers) <= index < len(layers):
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only "
                                 f"has {len(layers)} layers.")
            return layers[index]
        for layer in layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name}. Existing layers are: "
                         f"{[layer.name for layer in layers]}.")

    def build(self, input_shape: Any = None) -> None:
        """Builds a subclassed model by tracing its `call` on inputs of ``input_shape``
        (batch first); every layer it uses creates its weights."""
        if input_shape is None:
            raise ValueError(f"Model '{self.name}' needs an `input_shape` to build, e.g. "
                             "build((None, 4)).")
        single = all(d is None or isinstance(d, int) for d in input_shape)
        spec = SymbolicTensor((None,) + tuple(input_shape)[1:]) if single else [
            SymbolicTensor((None,) + tuple(s)[1:]) for s in input_shape]  # several inputs
        if not self.built:
            kwargs = {"training": False} if "training" in _call_parameters(self) else {}
            output_spec(self, spec, kwargs)
            self.built = True
        self._build_shapes = input_shape
        if self.input_spec_shape is None and single:
            self.input_spec_shape = spec.shape

    def _maybe_build(self, input_shape: Any) -> None:
        if not self.built:
            self.build(input_shape)

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The output shape for inputs of ``input_shape`` (the built shape when None), found
        by tracing `call`."""
        input_shape = input_shape if input_shape is not None else getattr(
            self, "_build_shapes", None)
        if input_shape is None:
            raise ValueError(f"Model '{self.name}' is not built: its output shape is unknown.")
        single = all(d is None or isinstance(d, int) for d in input_shape)
        spec = SymbolicTensor((None,) + tuple(input_shape)[1:]) if single else [
            SymbolicTensor((None,) + tuple(s)[1:]) for s in input_shape]
        kwargs = {"training": False} if "training" in _call_parameters(self) else {}
        out = output_spec(self, spec, kwargs)
        return tf.nest.map_structure(lambda s: tuple(s.shape.as_list()), out)

    @property
    def input_shape(self) -> tuple | None:
        """The shape of the inputs with the batch dimension first (None for its size), or
        None before the model knows it."""
        return self.input_spec_shape

    @property
    def output_shape(self) -> Any:
        """The shape of the outputs for `input_shape`, or None before the model is built."""
        return None if not self.built else self.compute_output_shape(self.input_spec_shape)

    def count_params(self) -> int:
        if not self.built:
            raise ValueError(
                f"Model '{self.name}' is not built yet: call build((None, features)), give an "
                "Input first, or fit it on data before counting parameters.")
        return super().count_params()

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Model:
        """A functional model from a functional config (keras's layout: ``layers``,
        ``input_layers``, ``output_layers``), else ``cls(**config)``."""
        graph_keys = ("layers", "input_layers", "output_layers")
        if isinstance(config, dict) and all(k in config for k in graph_keys) and \
                _functional_like(cls):
            from minikeras.models.functional import Functional
            target = Functional if cls is Model else cls
            return saving.config.build_model({"class_name": "Functional", "config": config},
                                             custom_objects, functional_class=target)
        # a subclass with its own constructor makes its graph itself (keras)
        return cls(**{k: v for k, v in config.items() if k not in graph_keys})

    # ---- summary ------------------------------------------------------------------------
    def summary(self, line_length: int | None = None, positions: Any = None,
                print_fn: Callable[[str], Any] | None = None, expand_nested: bool = False,
                show_trainable: bool = False, layer_range: Any = None) -> None:
        """Prints each layer's name, type, output shape and parameter count, then the totals
        (and, for a functional model, what each layer is connected to).

        Args (keras's, in keras's order):
          line_length: Minimum width of the table. Default: as wide as its contents.
          positions, layer_range: Not supported; must be None.
          print_fn: Called with the text. Default `print`.
          expand_nested: Also list the layers of nested models, indented. Default False.
          show_trainable: Add a column saying whether each layer is trainable. Default False.
        """
        print_summary(self, line_length, positions, print_fn, expand_nested, show_trainable,
                      layer_range)

    # ---- saving -------------------------------------------------------------------------
    def save(self, filepath: str) -> None:
        """Saves architecture, weights, compile configuration and optimizer state to one zip
        file at exactly ``filepath`` (e.g. ``"model.minikeras"``), atomically. See
        `minikeras.models.load_model`."""
        saving.save_model(self, filepath)

    def save_weights(self, filepath: str) -> None:
        """Saves only the weights to a file at ``filepath``, atomically."""
        saving.save_weights(self, filepath)

    def load_weights(self, filepath: str) -> None:
        """Loads weights saved by `save_weights` (or `save`); checks all shapes first."""
        saving.load_weights(self, filepath)

    def to_json(self, **kwargs: Any) -> str:
        """The architecture as a JSON string; `models.model_from_json` rebuilds it."""
        return saving.config.model_to_json(self, **kwargs)

    def __reduce_ex__(self, protocol: Any) -> Any:
        """Pickles a built model through the saving format (as keras pickles through its
        file format): architecture, weights, compile configuration and optimizer state."""
        if not self.built:
            return super().__reduce_ex__(protocol)
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "model.minikeras")
            saving.save_model(self, path)
            with open(path, "rb") as handle:
                return _unpickle_model, (handle.read(),)

    def export(self, filepath: str, format: str = "tf_saved_model",  # noqa: A002 (keras)
               verbose: Any = None) -> None:
        """Writes a TensorFlow SavedModel for serving: ``tf.saved_model.load(path).serve(x)``
        returns the outputs, equal to ``model.predict(x)``. ``format``: "tf_saved_model"
        only (keras's default; its onnx/openvino/litert exports are not available)."""
        if format != "tf_saved_model":
            raise ValueError(f"Unrecognized format={format}. Supported formats are: "
                             "['tf_saved_model'].")
        export_saved_model(self, filepath)


def _unpickle_model(data: bytes) -> Model:
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.minikeras")
        with open(path, "wb") as handle:
            handle.write(data)
        return saving.load_model(path)


def _functional_like(cls: type) -> bool:
    """keras's test: a class rebuilt from a functional config by passing it the graph's
    ``inputs`` and ``outputs`` (Model, Functional, or a constructor taking *args, **kwargs
    or exactly Functional's arguments)."""
    if cls.__name__ in ("Model", "Functional") and cls.__module__.startswith("minikeras."):
        return True
    spec = inspect.getfullargspec(cls.__init__)
    return spec.args[1:3] == ["inputs", "outputs"] or (
        spec.varargs is not None and spec.varkw is not None and not spec.args[1:])


def _inject_functional(cls: type, functional: type) -> None:
    """keras's ``inject_functional_model_class``: `Model` replaced by ``functional`` among the
    bases of ``cls`` (and of its bases)."""
    if cls is Model or issubclass(cls, functional):
        return
    for base in cls.__bases__:
        _inject_functional(base, functional)
    cls.__bases__ = tuple(functional if b is Model else b for b in cls.__bases__)


def _call_parameters(layer: Layer) -> set[str]:
    return set(inspect.signature(layer.call).parameters)
