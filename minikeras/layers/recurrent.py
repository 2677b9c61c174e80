"""Recurrent layers: `LSTM`, `GRU` and `SimpleRNN`, keras's names, arguments and numerics.

Inputs are batch-major ``(batch, time, features)``; the time loop is a `tf.while_loop` over
the time axis (see `recurrent_cells.run_loop`), the step math in `recurrent_cells`.

Not supported yet (refused at construction with NotImplementedError, not ignored):
``dropout`` / ``recurrent_dropout`` > 0 and ``stateful=True``; a ``mask`` passed to the call.
``unroll=True`` is accepted and runs the same loop (same numbers); ``use_cudnn`` is accepted
and ignored (the generic loop always runs, as keras's on CPU). minikeras layers do not
propagate keras masks: after ``Embedding(mask_zero=True)`` the layer raises ValueError (in a
functional model when called on the embedding's output, in a `Sequential` when it builds).
"""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from minikeras import _validation, activations, constraints, initializers, regularizers
from minikeras._registry import serialize_or_custom
from minikeras.layers import recurrent_cells, symbolic
from minikeras.layers.convolution import serialize_optional
from minikeras.layers.dense import activation_name
from minikeras.layers.layer import Layer


class _RNN(Layer):
    """Shared by the recurrent layers: arguments, checks, weights, the loop and config.
    Subclasses set ``_gates`` (blocks of ``units`` in the kernels), ``_n_states`` and
    ``_step``."""

    consumes_masks = True  # keras skips masked steps; Sequential refuses mask_zero before it

    _float_inputs = True
    supports_masking = True  # keras's flag (read by code that checks it); masks are refused
    _gates = 1
    _n_states = 1
    _step = staticmethod(recurrent_cells.simple_rnn_step)

    def __init__(self, units: int, activation: Any = "tanh", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, recurrent_regularizer: Any = None,
                 bias_regularizer: Any = None, activity_regularizer: Any = None,
                 kernel_constraint: Any = None, recurrent_constraint: Any = None,
                 bias_constraint: Any = None, dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, seed: int | None = None,
                 return_sequences: bool = False, return_state: bool = False,
                 go_backwards: bool = False, stateful: bool = False, unroll: bool = False,
                 **kwargs: Any):
        name = type(self).__name__
        if not _validation.is_int(units) or units <= 0:
            raise ValueError(f"Received an invalid value for argument `units`, expected a "
                             f"positive integer, got {units!r}.")
        for arg, value in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ValueError(f"`{arg}` must be a float in [0, 1]. Received: {arg}={value!r}")
            if value > 0:
                raise NotImplementedError(
                    f"minikeras {name} does not support {arg} > 0 yet (received {arg}="
                    f"{value!r}); put a Dropout layer before or after it instead.")
        if _validation.boolean(stateful, "stateful"):
            raise NotImplementedError(
                f"minikeras {name} does not support stateful=True yet (states carried across "
                "batches); it always starts each batch from zero states.")
        kwargs.pop("zero_output_for_mask", None)  # keras's RNN config entry; masks unsupported
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = int(units)
        self.activation = activations.get(activation)
        self.use_bias = _validation.boolean(use_bias, "use_bias")
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout, self.recurrent_dropout = float(dropout), float(recurrent_dropout)
        self.seed = seed
        self.return_sequences = _validation.boolean(return_sequences, "return_sequences")
        self.return_state = _validation.boolean(return_state, "return_state")
        self.go_backwards = _validation.boolean(go_backwards, "go_backwards")
        self.stateful = False
        self.unroll = _validation.boolean(unroll, "unroll")
        self.kernel = self.recurrent_kernel = self.bias = None

    # ---- weights ------------------------------------------------------------------------
    def _input_dim(self, input_shape: Any) -> int:
        shape = tuple(input_shape) if input_shape is not None else ()
        if len(shape) != 3 or shape[-1] is None:
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) expects inputs of rank 3, "
                f"(batch, time, features), with a known feature dimension. Received "
                f"input_shape={shape}" + (". For one feature per step use x[..., None]."
                                          if len(shape) == 2 else ""))
        return int(shape[-1])

    def _bias_shape(self) -> tuple:
        return (self._gates * self.units,)

    def _bias_initializer(self) -> Any:
        return self.bias_initializer

    def weight_shapes(self, input_shape: Any) -> list[tuple[str, tuple]]:
        """``kernel`` ``(input_dim, g*units)``, ``recurrent_kernel`` ``(units, g*units)`` and,
        with ``use_bias``, ``bias``; ``g`` is 4 for LSTM, 3 for GRU, 1 for SimpleRNN."""
        width = self._gates * self.units
        shapes = [("kernel", (self._input_dim(input_shape), width)),
                  ("recurrent_kernel", (self.units, width))]
        return shapes + ([("bias", self._bias_shape())] if self.use_bias else [])

    def build(self, input_shape: Any) -> None:
        """Creates ``kernel``, ``recurrent_kernel`` and ``bias`` (see `weight_shapes`).
        Raises ValueError unless the input is ``(batch, time, features)``."""
        shapes = dict(self.weight_shapes(input_shape))
        self.kernel = self.add_weight(shape=shapes["kernel"], initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint, name="kernel")
        self.recurrent_kernel = self.add_weight(
            shape=shapes["recurrent_kernel"], initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer, constraint=self.recurrent_constraint,
            name="recurrent_kernel")
        if self.use_bias:
            self.bias = self.add_weight(shape=shapes["bias"], initializer=self._bias_initializer(),
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint, name="bias")
        self.built = True

    # ---- calling ------------------------------------------------------------------------
    def __call__(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        node = getattr(inputs, "node", None)
        if node is not None and getattr(node.layer, "mask_zero", False):
            raise ValueError(
                f"Layer '{self.name}' follows '{node.layer.name}' with mask_zero=True: keras "
                "would skip the padded steps, and minikeras recurrent layers do not support "
                "masks yet. Use mask_zero=False (padding then counts as input).")
        return super().__call__(inputs, *args, **kwargs)

    def call(self, inputs: tf.Tensor, initial_state: Any = None, mask: Any = None) -> Any:
        """Runs the layer over the time axis of ``inputs`` ``(batch, time, features)``.

        ``initial_state``: optional list of state tensors ``(batch, units)`` (zeros if None).
        """
        if mask is not None:
            raise NotImplementedError(f"minikeras {type(self).__name__} does not support "
                                      "masks yet.")
        self._input_dim(inputs.shape)
        if self.go_backwards:
            inputs = tf.reverse(inputs, axis=[1])
        projected = tf.transpose(tf.tensordot(inputs, self.kernel, axes=1), [1, 0, 2])
        if initial_state is None:
            zeros = tf.zeros(tf.stack([tf.shape(inputs)[0], self.units]), inputs.dtype)
            states = (zeros,) * self._n_states
        else:
            if symbolic.is_symbolic(initial_state):
                raise NotImplementedError("minikeras recurrent layers take `initial_state` "
                                          "as tensors only, not in a functional model yet.")
            states = tuple(tf.convert_to_tensor(s, tf.float32)
                           for s in tf.nest.flatten(initial_state))
            if len(states) != self._n_states:
                raise ValueError(f"Layer '{self.name}' expects {self._n_states} initial "
                                 f"state(s). Received: {len(states)}")
        last, sequence, states = recurrent_cells.run_loop(
            lambda z, s: type(self)._step(self, z, s), projected, states,
            self.return_sequences)
        output = tf.transpose(sequence, [1, 0, 2]) if self.return_sequences else last
        return [output, *states] if self.return_state else output

    def compute_output_shape(self, input_shape: Any) -> Any:
        shape = tuple(input_shape)
        out = shape[:2] + (self.units,) if self.return_sequences else (shape[0], self.units)
        if self.return_state:
            return [out] + [(shape[0], self.units)] * self._n_states
        return out

    # ---- config -------------------------------------------------------------------------
    def get_config(self) -> dict:
        def init(obj: Any) -> Any:
            return serialize_or_custom(obj, initializers.serialize)

        return {**super().get_config(), "units": self.units,
                "activation": activation_name(self.activation or activations.linear),
                "use_bias": self.use_bias,
                "kernel_initializer": init(self.kernel_initializer),
                "recurrent_initializer": init(self.recurrent_initializer),
                "bias_initializer": init(self.bias_initializer),
                "kernel_regularizer": serialize_optional(self.kernel_regularizer, regularizers),
                "recurrent_regularizer": serialize_optional(self.recurrent_regularizer,
                                                            regularizers),
                "bias_regularizer": serialize_optional(self.bias_regularizer, regularizers),
                "kernel_constraint": serialize_optional(self.kernel_constraint, constraints),
                "recurrent_constraint": serialize_optional(self.recurrent_constraint,
                                                           constraints),
                "bias_constraint": serialize_optional(self.bias_constraint, constraints),
                "dropout": self.dropout, "recurrent_dropout": self.recurrent_dropout,
                "seed": self.seed, "return_sequences": self.return_sequences,
                "return_state": self.return_state, "go_backwards": self.go_backwards,
                "stateful": self.stateful, "unroll": self.unroll}


class _Gated(_RNN):
    """LSTM and GRU: a ``recurrent_activation`` and keras's ``use_cudnn``."""

    def __init__(self, units: int, activation: Any = "tanh",
                 recurrent_activation: Any = "sigmoid", use_cudnn: Any = "auto",
                 **kwargs: Any):
        # keras 2's `implementation` (1 or 2: the same math in another order); keras 3 accepts
        # it too and keeps it out of the config
        self.implementation = kwargs.pop("implementation", 2)
        if use_cudnn not in ("auto", True, False):
            raise ValueError(f"`use_cudnn` must be 'auto', True or False. Received: "
                             f"use_cudnn={use_cudnn!r}")
        super().__init__(units, activation=activation, **kwargs)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.use_cudnn = use_cudnn

    def get_config(self) -> dict:
        config = super().get_config()
        config["recurrent_activation"] = activation_name(self.recurrent_activation
                                                         or activations.linear)
        return config  # keras leaves use_cudnn out of the config too


class LSTM(_Gated):
    """Long short-term memory (Hochreiter & Schmidhuber, 1997), keras's `LSTM`.

    Weights: ``kernel (input_dim, 4*units)``, ``recurrent_kernel (units, 4*units)``,
    ``bias (4*units,)``, each split in the gate order i, f, c, o. For each time step, with
    ``sig`` the recurrent activation and ``act`` the activation::

        i = sig(x W_i + h U_i + b_i)    f = sig(x W_f + h U_f + b_f)
        o = sig(x W_o + h U_o + b_o)    c = f * c + i * act(x W_c + h U_c + b_c)
        h = o * act(c)

    States start at zero (or ``initial_state=[h, c]`` given to the call).

    Args:
      units: Positive integer, the size of ``h`` and ``c``.
      activation: Default "tanh".
      recurrent_activation: Default "sigmoid".
      use_bias: Default True.
      kernel_initializer: Default "glorot_uniform".
      recurrent_initializer: Default "orthogonal".
      bias_initializer: Default "zeros".
      unit_forget_bias: Add 1 to the forget gate's bias at initialization. Default True.
      **kwargs: The arguments shared with `SimpleRNN`, with keras's defaults: the kernel,
        recurrent, bias and activity regularizers and the kernel, recurrent and bias
        constraints (None); ``dropout`` and ``recurrent_dropout`` (0.0; a value > 0 raises
        NotImplementedError); ``seed``; ``return_sequences``, ``return_state`` and
        ``go_backwards`` (False); ``stateful`` (False; True raises NotImplementedError);
        ``unroll`` (False; True runs the same loop); ``use_cudnn`` ("auto", ignored); ``name``.

    Masks (``Embedding(mask_zero=True)``) are not supported yet: see the module docstring.

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.layers import LSTM
      >>> LSTM(4)(tf.ones((2, 5, 3))).shape
      TensorShape([2, 4])
      >>> [t.shape for t in LSTM(4, return_sequences=True, return_state=True)(tf.ones((2, 5, 3)))]
      [TensorShape([2, 5, 4]), TensorShape([2, 4]), TensorShape([2, 4])]
    """

    _gates = 4
    _n_states = 2
    _step = staticmethod(recurrent_cells.lstm_step)

    def __init__(self, units: int, activation: Any = "tanh",
                 recurrent_activation: Any = "sigmoid", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 unit_forget_bias: bool = True, **kwargs: Any):
        super().__init__(units, activation=activation,
                         recurrent_activation=recurrent_activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, **kwargs)
        self.unit_forget_bias = _validation.boolean(unit_forget_bias, "unit_forget_bias")

    def _bias_initializer(self) -> Any:
        if not self.unit_forget_bias:
            return self.bias_initializer
        init, u = self.bias_initializer, self.units

        def forget_ones(shape: Any, dtype: Any = None) -> tf.Tensor:
            return tf.concat([init((u,), dtype=dtype), tf.ones((u,), dtype or tf.float32),
                              init((2 * u,), dtype=dtype)], axis=0)
        return forget_ones

    def get_config(self) -> dict:
        return {**super().get_config(), "unit_forget_bias": self.unit_forget_bias}


class GRU(_Gated):
    """Gated recurrent unit (Cho et al., 2014), keras's `GRU`.

    Weights: ``kernel (input_dim, 3*units)``, ``recurrent_kernel (units, 3*units)``, gate order
    z, r, h; ``bias`` is ``(2, 3*units)`` (input bias, recurrent bias) with ``reset_after``
    (keras 3's default, the cuDNN variant), else ``(3*units,)``. For each step::

        z = sig(x W_z + b_z + h U_z + b'_z)    r = sig(x W_r + b_r + h U_r + b'_r)
        hh = act(x W_h + b_h + r * (h U_h + b'_h))      # reset_after=True
        hh = act(x W_h + b_h + (r * h) U_h)              # reset_after=False
        h = z * h + (1 - z) * hh

    Args:
      units: Positive integer, the size of ``h``.
      activation: Default "tanh".
      recurrent_activation: Default "sigmoid".
      use_bias: Default True.
      kernel_initializer: Default "glorot_uniform".
      recurrent_initializer: Default "orthogonal".
      bias_initializer: Default "zeros".
      **kwargs: The arguments shared with `SimpleRNN`, with keras's defaults: the kernel,
        recurrent, bias and activity regularizers and the kernel, recurrent and bias
        constraints (None); ``dropout`` and ``recurrent_dropout`` (0.0; a value > 0 raises
        NotImplementedError); ``seed``; ``return_sequences``, ``return_state`` and
        ``go_backwards`` (False); ``stateful`` (False; True raises NotImplementedError);
        ``unroll`` (False; True runs the same loop); ``use_cudnn`` ("auto", ignored); ``name``.
      reset_after: Apply the reset gate after the recurrent matmul. Default True.

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.layers import GRU
      >>> layer = GRU(4, return_sequences=True)
      >>> layer(tf.ones((2, 5, 3))).shape
      TensorShape([2, 5, 4])
      >>> [tuple(w.shape) for w in layer.weights]
      [(3, 12), (4, 12), (2, 12)]
    """

    _gates = 3
    _step = staticmethod(recurrent_cells.gru_step)

    def __init__(self, units: int, activation: Any = "tanh",
                 recurrent_activation: Any = "sigmoid", use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform",
                 recurrent_initializer: Any = "orthogonal", bias_initializer: Any = "zeros",
                 reset_after: bool = True, **kwargs: Any):
        super().__init__(units, activation=activation,
                         recurrent_activation=recurrent_activation, use_bias=use_bias,
                         kernel_initializer=kernel_initializer,
                         recurrent_initializer=recurrent_initializer,
                         bias_initializer=bias_initializer, **kwargs)
        self.reset_after = _validation.boolean(reset_after, "reset_after")

    def _bias_shape(self) -> tuple:
        return (2, 3 * self.units) if self.reset_after else (3 * self.units,)

    def get_config(self) -> dict:
        return {**super().get_config(), "reset_after": self.reset_after}


class SimpleRNN(_RNN):
    """A fully connected recurrent layer, keras's `SimpleRNN`: for each step
    ``h = activation(x @ kernel + bias + h @ recurrent_kernel)``.

    Weights: ``kernel (input_dim, units)``, ``recurrent_kernel (units, units)``,
    ``bias (units,)``.

    Args:
      units: Positive integer, the size of ``h``.
      activation: Default "tanh" (None means linear).
      use_bias: Default True.
      kernel_initializer: Default "glorot_uniform".
      recurrent_initializer: Default "orthogonal".
      bias_initializer: Default "zeros".
      kernel_regularizer: Default None.
      recurrent_regularizer: Default None.
      bias_regularizer: Default None.
      activity_regularizer: Default None.
      kernel_constraint: Default None.
      recurrent_constraint: Default None.
      bias_constraint: Default None.
      dropout: Default 0.0; a value > 0 raises NotImplementedError (not supported yet).
      recurrent_dropout: Default 0.0; a value > 0 raises NotImplementedError.
      seed: Default None (unused without dropout).
      return_sequences: Default False.
      return_state: Default False (``[output, h]``).
      go_backwards: Default False.
      stateful: Default False (True raises NotImplementedError).
      unroll: Default False (True runs the same loop).

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.layers import SimpleRNN
      >>> SimpleRNN(4)(tf.ones((2, 5, 3))).shape
      TensorShape([2, 4])
    """

    def get_config(self) -> dict:
        config = super().get_config()
        del config["seed"]  # keras's SimpleRNN config has none
        return config
