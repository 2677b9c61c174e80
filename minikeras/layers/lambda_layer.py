"""`Lambda` (wraps a Python function as a layer) and `Identity` (returns its input)."""
from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Any

import tensorflow as tf

from minikeras._registry import CUSTOM
from minikeras.layers.layer import Layer


class Identity(Layer):
    """Returns its inputs unchanged: ``output = inputs`` (any structure, any dtype).

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.layers import Identity
      >>> Identity()(tf.ones((2, 3))).shape
      TensorShape([2, 3])
    """

    supports_masking = True  # keras's flag (minikeras has no masks)

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self._build_at_init()  # as keras: no weights, built at once

    def call(self, inputs: Any) -> Any:
        return inputs


def _function_name(fn: Callable, what: str, layer: str) -> str:
    """The name a saved model refers to ``fn`` by; a ValueError if it has none."""
    name = getattr(fn, "__name__", None)
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(
            f"Lambda layer '{layer}' cannot be saved: its {what} {fn!r} has no name to refer "
            "to it by (a lambda expression or a callable object). minikeras files never carry "
            "code: define it with `def my_fn(x): ...`, and pass it when loading, "
            "load_model(path, custom_objects={'my_fn': my_fn}).")
    return name


class Lambda(Layer):
    """Wraps a function as a layer: ``output = function(inputs, **arguments)``.

    The function may take ``training`` (passed through, as keras does). Its variables, if it
    makes any, are not tracked: use a custom `Layer` for anything with weights.

    Saving: the config holds the function only *by name* (``{"__custom__": name}``): a file
    never carries code. `get_config` (and so `save`) raises a ValueError for a function without
    a name (a ``lambda`` expression); loading raises a ValueError naming the function unless it
    is passed as ``load_model(path, custom_objects={name: function})``. The same holds for a
    callable ``output_shape``.

    Args:
      function: The function, ``f(inputs[, training]) -> outputs``.
      output_shape: None (inferred by tracing the function on the input shape), a tuple (the
        shape of one sample, without batch axis), or a callable ``f(input_shape) ->
        output_shape`` (with batch axis).
      mask: Only None (masking is not supported).
      arguments: Optional dict of extra keyword arguments for the function (JSON values, for
        saving).

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.layers import Lambda
      >>> def double(x):
      ...     return 2 * x
      >>> Lambda(double)(tf.ones((2, 3))).numpy()[0]
      array([2., 2., 2.], dtype=float32)
    """

    def __init__(self, function: Callable, output_shape: Any = None, mask: Any = None,
                 arguments: dict | None = None, **kwargs: Any):
        if not callable(function):
            raise TypeError(f"Expected `function` to be a callable. Received: "
                            f"function={function!r}")
        if mask is not None:
            raise ValueError(f"minikeras's Lambda does not support `mask`. Received: mask={mask!r}")
        if arguments is not None and not isinstance(arguments, dict):
            raise TypeError(f"Expected `arguments` to be a dict. Received: "
                            f"arguments={arguments!r}")
        if output_shape is not None and not callable(output_shape):
            if isinstance(output_shape, (str, bytes)) or not hasattr(output_shape, "__iter__"):
                raise TypeError("Expected `output_shape` to be a tuple, a callable or None. "
                                f"Received: output_shape={output_shape!r}")
            output_shape = tuple(None if d is None else int(d) for d in output_shape)
        super().__init__(**kwargs)
        self.function = function
        # A plain dict (tf.Module would wrap it for tracking; nothing in it is tracked).
        object.__setattr__(self, "arguments", dict(arguments or {}))
        self._output_shape = output_shape
        try:
            params = inspect.signature(function).parameters
        except (TypeError, ValueError):
            params = {}
        self._fn_expects_training = "training" in params

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        kwargs = dict(self.arguments)
        if self._fn_expects_training:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_output_shape(self, input_shape: Any) -> Any:
        if callable(self._output_shape):
            return tuple(self._output_shape(tuple(input_shape)))
        if self._output_shape is not None:
            return (tuple(input_shape)[0],) + self._output_shape
        spec = tf.TensorSpec(tuple(input_shape), tf.float32)
        try:
            concrete = tf.function(lambda x: self.call(x)).get_concrete_function(spec)
        except Exception as err:
            raise NotImplementedError(
                f"Could not infer the output shape of Lambda layer '{self.name}' ({err}). "
                "Please specify the `output_shape` argument for this Lambda layer.") from None
        return tf.nest.map_structure(lambda s: tuple(s.shape.as_list()),
                                     concrete.structured_outputs)

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Lambda:
        """Rebuilds the layer; functions saved by name come from ``custom_objects`` only."""
        config = dict(config)
        for key in ("function", "output_shape"):
            value = config.get(key)
            if isinstance(value, dict) and CUSTOM in value:
                name = value[CUSTOM]
                if not custom_objects or name not in custom_objects:
                    raise ValueError(f"The {key} of Lambda layer '{config.get('name')}' is the "
                                     f"function {name!r}, which a file cannot carry; pass it "
                                     f"in custom_objects={{{name!r}: ...}}")
                config[key] = custom_objects[name]
        return cls(**config)

    def get_config(self) -> dict:
        """The config, with the function (and a callable output_shape) by name only.

        Raises:
          ValueError: If the function has no name (a ``lambda``), or ``arguments`` are not
            JSON values.
        """
        config = {**super().get_config(),
                  "function": {CUSTOM: _function_name(self.function, "function", self.name)}}
        if callable(self._output_shape):
            config["output_shape"] = {CUSTOM: _function_name(self._output_shape,
                                                             "output_shape", self.name)}
        elif self._output_shape is not None:
            config["output_shape"] = self._output_shape
        try:
            json.dumps(self.arguments)
        except (TypeError, ValueError):
            raise ValueError(f"Lambda layer '{self.name}' cannot be saved: its `arguments` "
                             f"{self.arguments!r} are not JSON values.") from None
        config["arguments"] = dict(self.arguments)
        return config
