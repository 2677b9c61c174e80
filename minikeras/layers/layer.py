"""The Layer base class: a `tf.Module` that creates its variables lazily on its first input.

The contract, as keras documents it for custom layers:

    class Linear(Layer):
        def __init__(self, units=32, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], self.units),
                                     initializer="random_normal")

        def call(self, inputs):              # or call(self, inputs, training=None)
            return tf.matmul(inputs, self.w)

`__call__` does everything else, once, in one place: converts the inputs to tensors, builds
the layer from their shape on the first call, checks later inputs against that shape, passes
``training`` only to a `call` that accepts it (inheriting it from an enclosing layer's call
when not given), collects `add_loss` and activity-regularizer losses, and records nothing
else. Crossentropy losses find the logits of sigmoid/softmax outputs through
`minikeras._logits`, with no code in the layers.
"""
from __future__ import annotations

import inspect
import re
from typing import Any

import numpy as np
import tensorflow as tf

from minikeras import _validation, regularizers
from minikeras._naming import to_snake_case, unique_name
from minikeras.layers import auto_config, call_context, symbolic
from minikeras.layers.weights import WeightsMixin

as_shape = _validation.shape  # kept for the layers that import it from here

_ACCEPTS_TRAINING: dict[type, bool] = {}


def _call_accepts_training(layer: Layer) -> bool:
    cls = type(layer)
    if cls not in _ACCEPTS_TRAINING:
        params = inspect.signature(layer.call).parameters.values()
        _ACCEPTS_TRAINING[cls] = any(p.name == "training" or p.kind is p.VAR_KEYWORD
                                     for p in params)
    return _ACCEPTS_TRAINING[cls]


class Layer(WeightsMixin, tf.Module):
    """Base class of minikeras layers.

    Subclasses implement `build(input_shape)` to create variables with `add_weight` (or create
    them in ``__init__``) and `call(inputs[, training])` for the computation.

    Args (keyword-only, as keras):
      activity_regularizer: Optional penalty on the layer's outputs, added to `losses`.
      trainable: Whether the layer's weights are updated by training. Default True.
      dtype: None or "float32" (minikeras layers compute in float32).
      autocast: Accepted for keras compatibility; layers always compute in float32.
      name: Layer name; defaults to the snake-cased class name made unique (``dense_1``).
      input_shape / input_dim / batch_size: Optional shape of one sample, as in
        ``Dense(4, input_shape=(2,))``; a `Sequential` builds early from it.

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.layers import Layer
      >>> layer = Layer(name="identity")
      >>> layer(tf.ones((2, 3))).shape
      TensorShape([2, 3])
    """

    # Built-in layers that compute in float32 set this: integer inputs are cast (keras's ops
    # promote them). Other layers, custom ones included, receive integers as given.
    _float_inputs = False
    # keras's flag: whether the layer would pass a mask through. minikeras has no masks; the
    # layers keras marks True say so too, for code that reads it.
    supports_masking = False

    def __new__(cls, *args: Any, **kwargs: Any) -> Layer:
        layer = super().__new__(cls)
        object.__setattr__(layer, "_auto_config", auto_config.record(cls, args, kwargs))
        return layer

    def __init__(self, *, activity_regularizer: Any = None, trainable: bool = True,
                 dtype: Any = None, autocast: bool = True, name: str | None = None,
                 **kwargs: Any):
        if name is not None and not isinstance(name, str):
            raise TypeError(f"Expected `name` to be a string. Received: name={name!r}")
        name = name or unique_name(to_snake_case(type(self).__name__))
        self._tracking_ready = False
        super().__init__(name=re.sub(r"\W", "_", name))
        self._layer_name = name
        self.trainable = _validation.boolean(trainable, "trainable")
        self.built = False
        self.input_spec_shape: tuple | None = None  # full shape (batch first) built for
        self._inbound_nodes: list = []  # functional API: calls on symbolic tensors
        self._init_weights()
        self.activity_regularizer = regularizers.get(activity_regularizer)
        if dtype not in (None, "float32", tf.float32):
            raise ValueError(f"minikeras layers compute in float32. Received: dtype={dtype!r}")
        self._declared_input_shape = self._pop_input_shape(kwargs)
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments passed to {type(self).__name__}: "
                             f"{kwargs}")
        self._tracking_ready = True

    def _build_at_init(self) -> None:
        """Marks a layer without weights built at once, as keras does, unless its class
        overrides `build` (a subclass's own `build` must still run)."""
        if type(self).build is Layer.build:
            self.built = True

    @property
    def dtype(self) -> str:
        """The dtype of the layer's weights and computations: "float32"."""
        return "float32"

    @staticmethod
    def _pop_input_shape(kwargs: dict) -> tuple | None:
        input_dim = kwargs.pop("input_dim", None)
        input_shape = kwargs.pop("input_shape", None)
        batch_size = kwargs.pop("batch_size", None)
        batch_input_shape = kwargs.pop("batch_input_shape", None)
        if input_dim is not None:
            input_shape = (_validation.positive_int(input_dim, "input_dim"),)
        if batch_input_shape is not None:
            return as_shape(batch_input_shape, "batch_input_shape")
        if input_shape is None:
            return None
        return (batch_size,) + as_shape(input_shape)

    # ---- naming -------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """The name as given; keras names may hold characters `tf.Module` names cannot."""
        return self._layer_name

    # ---- building -----------------------------------------------------------------------
    def build(self, input_shape: Any) -> None:
        """Creates the layer's variables for inputs of ``input_shape`` (batch dimension first).
        The base creates none."""
        self.built = True

    def _maybe_build(self, input_shape: Any) -> None:
        if not self.built:
            # Variables are made eagerly even when the first call is traced by tf.function.
            with tf.init_scope():
                self.build(input_shape)
            self.built = True
            if self.input_spec_shape is None and isinstance(input_shape, tuple) and all(
                    d is None or isinstance(d, int) for d in input_shape):
                self.input_spec_shape = input_shape

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The output shape for inputs of ``input_shape`` (batch first).

        minikeras's own layers each define it (those that reach this base keep the shape). A
        user's layer without its own method gets keras's fallback: ``call`` traced on a float
        placeholder of that shape, no values computed (if the trace fails, the shape is kept
        and the real call reports the problem)."""
        if type(self).__module__.startswith("minikeras.") or type(self).call is Layer.call:
            return input_shape
        placeholder = symbolic.SymbolicTensor(tuple(input_shape), tf.float32)
        try:
            try:
                spec = self.compute_output_spec(placeholder)
            except NotImplementedError:  # a layer's own compute_output_spec may refuse: trace
                spec = Layer.compute_output_spec(self, placeholder)
        except (ValueError, TypeError):
            return input_shape
        return tf.nest.map_structure(lambda s: s.shape, spec)

    def compute_output_spec(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        """The output of calling the layer on ``inputs`` (tensors, arrays or symbolic
        tensors), as symbolic tensors: shape and dtype, no values (keras's method)."""
        def spec(x: Any) -> Any:
            if isinstance(x, symbolic.SymbolicTensor) or x is None:
                return x
            x = self._convert_input(x)
            return symbolic.SymbolicTensor(tuple(x.shape.as_list()), x.dtype)
        inputs = tf.nest.map_structure(spec, inputs)
        self._maybe_build(tf.nest.map_structure(
            lambda t: None if t is None else t.shape, inputs))
        out = symbolic.output_spec(self, inputs, kwargs)
        return tf.nest.map_structure(
            lambda s: symbolic.SymbolicTensor(tuple(s.shape.as_list()), s.dtype), out)

    # ---- calling ------------------------------------------------------------------------
    def __call__(self, inputs: Any, *args: Any, training: bool | None = None,
                 **kwargs: Any) -> Any:
        """Converts ``inputs``, builds on first use, checks the shape, and returns
        ``call(inputs, *args, [training=training,] **kwargs)``.

        ``training`` is passed only to a `call` that accepts it; when not given, it is the
        value of the enclosing layer call (a model's `fit` passes True), else `call`'s default.
        """
        if symbolic.is_symbolic(inputs):
            return self._call_symbolic(inputs, args, training, kwargs)
        x = tf.nest.map_structure(self._convert_input, inputs)
        self._maybe_build(_shape_of(x))
        if isinstance(x, tf.Tensor):
            self._check_input_shape(x.shape)
        with call_context.enter(self, training) as training:
            if training is not None and _call_accepts_training(self):
                kwargs["training"] = training
            outputs = self.call(x, *args, **kwargs)
            if self.activity_regularizer is not None:
                penalty = tf.add_n([tf.cast(self.activity_regularizer(o), tf.float32)
                                    for o in tf.nest.flatten(outputs)])
                batch = tf.cast(tf.shape(tf.nest.flatten(outputs)[0])[0], tf.float32)
                self.add_loss(penalty / batch)  # keras divides by the batch size
        return outputs

    def _call_symbolic(self, inputs: Any, args: tuple, training: bool | None,
                       kwargs: dict) -> Any:
        """The functional API: builds on the symbolic inputs' shapes, works out the outputs'
        shapes, and records the call as a `Node` (see `layers/symbolic.py`)."""
        shapes = tf.nest.map_structure(
            lambda t: t.shape if isinstance(t, symbolic.SymbolicTensor) else t, inputs)
        self._maybe_build(shapes)
        if isinstance(inputs, symbolic.SymbolicTensor):
            self._check_input_shape(tf.TensorShape(inputs.shape))
        call_kwargs = dict(kwargs)
        spec = None
        if type(self).compute_output_spec is not Layer.compute_output_spec:
            try:
                spec = self.compute_output_spec(inputs, *args, **call_kwargs)  # its own (keras)
            except NotImplementedError:
                spec = None  # traced instead
        if spec is None:
            if _call_accepts_training(self):
                call_kwargs["training"] = False
            spec = symbolic.output_spec(self, inputs, call_kwargs, args)
        node = symbolic.Node(self, inputs, dict(kwargs, **(
            {} if training is None else {"training": training})), args)
        flat = [symbolic.SymbolicTensor(tuple(tf.TensorShape(s.shape).as_list()), s.dtype,
                                        node, i)
                for i, s in enumerate(tf.nest.flatten(spec))]
        node.outputs = tf.nest.pack_sequence_as(spec, flat)
        self._inbound_nodes.append(node)
        return node.outputs

    def _only_node(self, what: str) -> symbolic.Node:
        if len(self._inbound_nodes) != 1:
            raise ValueError(
                f"Layer '{self.name}' has {len(self._inbound_nodes)} calls on symbolic inputs "
                f"recorded, so its `{what}` is {'undefined' if not self._inbound_nodes else 'ambiguous'}"
                f". Use the tensors its calls returned instead.")
        return self._inbound_nodes[0]

    @property
    def input(self) -> Any:
        """The symbolic input of the layer's one functional call."""
        return self._only_node("input").inputs

    @property
    def output(self) -> Any:
        """The symbolic output of the layer's one functional call."""
        return self._only_node("output").outputs

    def call(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        """The layer's computation; the base layer is the identity."""
        return inputs

    def add_loss(self, loss: Any) -> None:
        """Adds a scalar loss (from inside `call`) to `losses` for the current forward pass."""
        call_context.add_loss(self, tf.convert_to_tensor(loss, tf.float32))

    def _convert_input(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, (tf.Tensor, tf.Variable)):
            x = tf.convert_to_tensor(value)
        else:
            array = np.asarray(value)
            if array.dtype.kind not in "biuf":
                raise TypeError(f"Layer '{self.name}' expects numeric inputs. Received an "
                                f"array of dtype {array.dtype}")
            x = tf.convert_to_tensor(array)
        if x.dtype.is_floating and x.dtype != tf.float32:
            return tf.cast(x, tf.float32)
        if self._float_inputs and not x.dtype.is_floating:
            return tf.cast(x, tf.float32)
        return x

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

    # ---- losses -------------------------------------------------------------------------
    @property
    def losses(self) -> list[tf.Tensor]:
        """`add_loss` losses of the latest forward pass (this layer's and its sublayers'),
        then the regularization penalties of the trainable weights (frozen weights add none,
        as in keras), computed from their current values."""
        layers = [self] + self._flatten_sublayers()
        added = [loss for layer in layers for loss in call_context.losses_of(layer)]
        return added + [reg(var) for var, reg in self._regularized_weights()]

    # ---- configuration ------------------------------------------------------------------
    def get_config(self) -> dict:
        """The constructor arguments (subclasses add theirs), for saving and cloning; a
        custom layer without its own `get_config` gets the arguments it was made with
        (keras's auto config, see `layers/auto_config.py`)."""
        config = {"name": self.name, "trainable": self.trainable, "dtype": "float32"}
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        if getattr(self, "_auto_config", None) is not None and \
                type(self).get_config is Layer.get_config:
            return auto_config.config_of(self, config)
        return config

    @classmethod
    def from_config(cls, config: dict) -> Layer:
        """Creates a layer from `get_config`'s dict. Any error of the constructor is raised as
        a TypeError naming the class and the config, with the original message (keras's)."""
        try:
            return cls(**config)
        except Exception as err:  # noqa: BLE001 - keras wraps every constructor error
            raise TypeError(f"Error when deserializing class '{cls.__name__}' using "
                            f"config={config}.\n\nException encountered: {err}") from err

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _shape_of(x: Any) -> Any:
    """The shape (tuple, batch first) of a tensor, or the structure of shapes of a nest."""
    if isinstance(x, tf.Tensor):
        return tuple(x.shape.as_list()) if x.shape.rank is not None else None
    return tf.nest.map_structure(
        lambda t: tuple(t.shape.as_list()) if isinstance(t, (tf.Tensor, tf.Variable)) else None, x)

