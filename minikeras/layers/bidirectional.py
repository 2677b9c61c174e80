"""`Bidirectional`: a recurrent layer run forwards and backwards, outputs merged (keras's)."""
from __future__ import annotations

from typing import Any

import tensorflow as tf

from minikeras.layers.layer import Layer
from minikeras.layers.recurrent import _RNN, GRU, LSTM, SimpleRNN

_MERGE_MODES = ("concat", "sum", "ave", "mul", None)


class Bidirectional(Layer):
    """Runs a recurrent layer forwards and a copy of it backwards and merges the two outputs,
    keras's `Bidirectional`.

    The wrapped layer is cloned from its config as ``forward_<name>`` and, unless
    ``backward_layer`` is given, as ``backward_<name>`` with ``go_backwards`` flipped (both
    with new weights, as keras's). With ``return_sequences`` the backward outputs are reversed
    back to the input's time order before merging. Weights: the forward layer's, then the
    backward layer's.

    Args:
      layer: An `LSTM`, `GRU` or `SimpleRNN`.
      merge_mode: "concat" (default; ``2*units`` features), "sum", "ave", "mul", or None (the
        two outputs as a list).
      backward_layer: Optional layer for the backward direction (its ``go_backwards`` must
        differ from ``layer``'s; ``return_sequences`` and ``return_state`` must be equal).
      **kwargs: ``name``, ``trainable`` and the other `Layer` keywords.

    With ``return_state`` the result is ``[output, *forward_states, *backward_states]``
    (``[forward_output, backward_output, *states]`` when merge_mode is None).

    Example:
      >>> import tensorflow as tf
      >>> from minikeras.layers import LSTM, Bidirectional
      >>> layer = Bidirectional(LSTM(4, return_sequences=True))
      >>> layer(tf.ones((2, 5, 3))).shape
      TensorShape([2, 5, 8])
      >>> len(layer.weights)
      6
    """

    consumes_masks = True

    _float_inputs = True
    supports_masking = True  # keras's flag; masks are refused by the wrapped layers

    def __init__(self, layer: Any, merge_mode: str | None = "concat",
                 backward_layer: Any = None, **kwargs: Any):
        if not isinstance(layer, _RNN):
            raise ValueError("Bidirectional wraps a minikeras LSTM, GRU or SimpleRNN layer. "
                             f"Received: layer={layer!r}")
        if merge_mode not in _MERGE_MODES:
            raise ValueError(f"Invalid merge mode. Received: merge_mode={merge_mode!r}. "
                             'Merge mode should be one of {"sum", "mul", "ave", "concat", '
                             "None}")
        if backward_layer is not None:
            if not isinstance(backward_layer, _RNN):
                raise ValueError("`backward_layer` must be a minikeras LSTM, GRU or SimpleRNN "
                                 f"layer. Received: backward_layer={backward_layer!r}")
            for arg in ("return_sequences", "return_state"):
                if getattr(layer, arg) != getattr(backward_layer, arg):
                    raise ValueError(f"Forward layer and backward layer should have the same "
                                     f"`{arg}`. Received: {getattr(layer, arg)} and "
                                     f"{getattr(backward_layer, arg)}")
            if layer.go_backwards == backward_layer.go_backwards:
                raise ValueError("Forward layer and backward layer should have different "
                                 "`go_backwards` values.")
        super().__init__(**kwargs)
        base = layer.name[len("forward_"):] if layer.name.startswith("forward_") else layer.name
        self.forward_layer = type(layer).from_config({**layer.get_config(),
                                                      "name": "forward_" + base})
        if backward_layer is None:
            backward_layer = type(layer).from_config({
                **layer.get_config(), "name": "backward_" + base,
                "go_backwards": not layer.go_backwards})
            if hasattr(layer, "use_cudnn"):  # not in the config (keras's either); kept
                backward_layer.use_cudnn = layer.use_cudnn
        if hasattr(layer, "use_cudnn"):
            self.forward_layer.use_cudnn = layer.use_cudnn
        self.backward_layer = backward_layer
        self.merge_mode = merge_mode
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state

    def build(self, input_shape: Any) -> None:
        """Builds both directions on ``(batch, time, features)`` inputs."""
        self.forward_layer._maybe_build(tuple(input_shape))
        self.backward_layer._maybe_build(tuple(input_shape))
        self.built = True

    def weight_shapes(self, input_shape: Any) -> list[tuple[str, tuple]]:
        """The forward layer's weights, then the backward layer's."""
        return (self.forward_layer.weight_shapes(input_shape)
                + self.backward_layer.weight_shapes(input_shape))

    def call(self, inputs: tf.Tensor, initial_state: Any = None, mask: Any = None) -> Any:
        forward_state = backward_state = None
        if initial_state is not None:
            initial_state = tf.nest.flatten(initial_state)
            half = len(initial_state) // 2
            forward_state, backward_state = initial_state[:half], initial_state[half:]
        y = self.forward_layer(inputs, initial_state=forward_state, mask=mask)
        y_rev = self.backward_layer(inputs, initial_state=backward_state, mask=mask)
        states: list = []
        if self.return_state:
            states = list(y[1:]) + list(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = tf.reverse(y_rev, axis=[1])
        if self.merge_mode is None:
            return [y, y_rev] + states
        output = {"concat": lambda: tf.concat([y, y_rev], axis=-1),
                  "sum": lambda: y + y_rev, "ave": lambda: (y + y_rev) / 2,
                  "mul": lambda: y * y_rev}[self.merge_mode]()
        return [output] + states if self.return_state else output

    def compute_output_shape(self, input_shape: Any) -> Any:
        forward = self.forward_layer.compute_output_shape(input_shape)
        out, states = (forward[0], forward[1:]) if self.return_state else (forward, [])
        backward = tuple(self.backward_layer.compute_output_shape(input_shape)[0]
                         if self.return_state else
                         self.backward_layer.compute_output_shape(input_shape))
        if self.merge_mode is None:
            outputs = [tuple(out), backward]
        elif self.merge_mode == "concat":
            outputs = [tuple(out[:-1]) + (out[-1] + backward[-1],)]
        else:
            outputs = [tuple(out)]
        if self.return_state:
            return outputs + list(states) * 2
        return outputs if self.merge_mode is None else outputs[0]

    def get_config(self) -> dict:
        def entry(layer: Layer) -> dict:
            return {"class_name": type(layer).__name__, "config": layer.get_config()}
        return {**super().get_config(), "merge_mode": self.merge_mode,
                "layer": entry(self.forward_layer),
                "backward_layer": entry(self.backward_layer)}

    @classmethod
    def from_config(cls, config: dict) -> Bidirectional:
        """Rebuilds the wrapped layers from their ``{"class_name", "config"}`` entries."""
        known = {c.__name__: c for c in (LSTM, GRU, SimpleRNN)}
        config = dict(config)
        for key in ("layer", "backward_layer"):
            entry = config.get(key)
            if isinstance(entry, dict) and "class_name" in entry:
                if entry["class_name"] not in known:
                    raise ValueError(f"Bidirectional cannot wrap a {entry['class_name']!r} "
                                     f"(known: {', '.join(known)}).")
                config[key] = known[entry["class_name"]].from_config(dict(entry["config"]))
        return super().from_config(config)
