"""A layer's weights: creating them, tracking sublayers, reading and setting them in keras order.

Order (keras's): the layer's own trainable weights in creation order, its own non-trainable
ones, then each sublayer's weights in the order the sublayers were assigned as attributes.
A sublayer is tracked when it is assigned to an attribute (alone, or in a list, tuple or dict).
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import tensorflow as tf

from minikeras import _validation, constraints, initializers, regularizers
from minikeras.metrics.metric import Metric

_AGGREGATIONS = {"none": tf.VariableAggregation.NONE, "mean": tf.VariableAggregation.MEAN,
                 "sum": tf.VariableAggregation.SUM,
                 "only_first_replica": tf.VariableAggregation.ONLY_FIRST_REPLICA}


class WeightsMixin:
    """Weights and sublayers of a `Layer` (mixed into it; see layer.py)."""

    def _init_weights(self) -> None:
        self._weights: list[tf.Variable] = []
        self._tracked_metrics: list = []
        self._regularizers: dict = {}  # variable ref -> regularizer

    def __setattr__(self, name: str, value: Any) -> None:
        values = value.values() if isinstance(value, dict) else (
            value if isinstance(value, (list, tuple)) else (value,))
        if isinstance(value, (dict, list, tuple)) and not any(
                isinstance(v, (WeightsMixin, tf.Variable, tf.Module, Metric)) for v in values):
            # Plain containers (a config's dicts, shapes) stay plain: tf.Module would wrap
            # them in trackable wrappers that JSON and equality checks do not expect.
            object.__setattr__(self, name, value)
            return
        if getattr(self, "_tracking_ready", False) and name != "_tracking_ready":
            for item in values:  # sublayers are found by `_direct_sublayers`
                if isinstance(item, tf.Variable) and not any(
                        item is w for w in self._weights):
                    self._weights.append(item)
                elif isinstance(item, Metric) and not any(
                        item is m for m in self._tracked_metrics):
                    self._tracked_metrics.append(item)  # `model.metrics` lists it (keras)
        super().__setattr__(name, value)

    # ---- trainable ----------------------------------------------------------------------
    @property
    def trainable(self) -> bool:
        """Whether training updates this layer's weights; setting it sets every sublayer's."""
        return self._trainable

    @trainable.setter
    def trainable(self, value: bool) -> None:
        object.__setattr__(self, "_trainable", _validation.boolean(value, "trainable"))
        for layer in getattr(self, "_sublayers", None) and self._direct_sublayers() or []:
            layer.trainable = value

    # ---- creating -----------------------------------------------------------------------
    def add_weight(self, shape: Sequence[int] | None = None, initializer: Any = None,
                   dtype: Any = None, trainable: bool = True, autocast: bool = True,
                   regularizer: Any = None, constraint: Any = None, aggregation: str = "none",
                   overwrite_with_gradient: bool = False, name: str | None = None) -> tf.Variable:
        """Creates a float32 `tf.Variable` initialized by ``initializer(shape)`` and tracks it.

        Args (keras's, in keras's order):
          shape: Shape of the weight; default ``()``.
          initializer: Initializer or its name; default "glorot_uniform" for float weights
            (keras's default), "zeros" for scalars.
          dtype: None or float32 (minikeras weights are float32); int dtypes for counters.
          trainable: Whether the optimizer updates it. Default True.
          regularizer: Optional penalty added to `losses`.
          constraint: Optional projection applied after each optimizer update.
          aggregation: How replicas' assignments combine under `tf.distribute`: "none"
            (default), "mean" (e.g. moving statistics), "sum" or "only_first_replica".
          name: Name of the variable.
        """
        shape = () if shape is None else _validation.shape(shape, "shape")
        if any(d is None for d in shape):
            raise ValueError(f"Expected a fully defined `shape` for weight {name!r}. "
                             f"Received: shape={shape}")
        dtype = tf.as_dtype(dtype or tf.float32)
        if initializer is None:
            initializer = "glorot_uniform" if dtype.is_floating and len(shape) >= 2 else "zeros"
        initializer = initializers.get(initializer)
        with tf.init_scope():
            value = initializer(shape, dtype=dtype) if dtype.is_floating else tf.zeros(shape,
                                                                                         dtype)
            # The optimizer applies `var.constraint` after each update, as keras does.
            var = tf.Variable(value, trainable=trainable, name=name or "variable", dtype=dtype,
                              constraint=constraints.get(constraint),
                              aggregation=_AGGREGATIONS[_validation.one_of(
                                  aggregation, "aggregation", _AGGREGATIONS)])
        object.__setattr__(self, "_weights", self._weights + [var])
        if regularizer is not None:
            self._regularizers[var.ref()] = regularizers.get(regularizer)
        return var

    def add_variable(self, shape: Sequence[int] | None = None, initializer: Any = None,
                     dtype: Any = None, trainable: bool = True, autocast: bool = True,
                     regularizer: Any = None, constraint: Any = None,
                     name: str | None = None) -> tf.Variable:
        """keras's other name for `add_weight` (same arguments, in keras's order)."""
        return self.add_weight(shape=shape, initializer=initializer, dtype=dtype,
                               trainable=trainable, autocast=autocast, regularizer=regularizer,
                               constraint=constraint, name=name)

    # ---- sublayers ----------------------------------------------------------------------
    def _direct_sublayers(self) -> list:
        """The layers held as attributes, alone or in lists, tuples and dicts, in the order
        the attributes were first assigned (keras's order); layers appended to a list
        attribute later are found too."""
        found: list = []
        for name, value in vars(self).items():
            if name.startswith("_self_") or name == "_inbound_nodes":
                continue
            items = value.values() if isinstance(value, dict) else (
                value if isinstance(value, (list, tuple)) else (value,))
            for item in items:
                if isinstance(item, WeightsMixin) and item is not self and not getattr(
                        item, "_is_input_layer", False) and not any(item is f for f in found):
                    found.append(item)
        return found

    def _flatten_sublayers(self) -> list:
        """Every sublayer, depth first, each once."""
        out: list = []
        for layer in self._direct_sublayers():
            for inner in [layer] + layer._flatten_sublayers():
                if not any(inner is seen for seen in out):
                    out.append(inner)
        return out

    # ---- reading ------------------------------------------------------------------------
    def _owned_weights(self) -> list[tuple[Any, tf.Variable]]:
        """``(owning layer, variable)`` for every weight, in keras order, each once."""
        own = [w for w in self._weights if w.trainable] + [
            w for w in self._weights if not w.trainable]
        pairs = [(self, w) for w in own]
        seen = {id(w) for w in own}
        for layer in self._direct_sublayers():
            for owner, w in layer._owned_weights():
                if id(w) not in seen:
                    seen.add(id(w))
                    pairs.append((owner, w))
        return pairs

    @property
    def weights(self) -> list[tf.Variable]:
        """All the layer's weights (its own, then its sublayers'), in keras order."""
        return [w for _, w in self._owned_weights()]

    @property
    def trainable_weights(self) -> list[tf.Variable]:
        """The weights training updates: trainable variables of trainable layers."""
        if not self.trainable:
            return []
        out = [w for w in self._weights if w.trainable]
        for layer in self._direct_sublayers():
            out += [w for w in layer.trainable_weights if not any(w is o for o in out)]
        return out

    @property
    def non_trainable_weights(self) -> list[tf.Variable]:
        """The other weights (all of them when the layer is not trainable)."""
        trainable = {id(w) for w in self.trainable_weights}
        return [w for w in self.weights if id(w) not in trainable]

    # tf.Module discovers variables by walking attributes; keras order comes from `weights`.
    @property
    def variables(self) -> tuple:
        """`weights` as a tuple."""
        return tuple(self.weights)

    @property
    def trainable_variables(self) -> tuple:
        """`trainable_weights` as a tuple."""
        return tuple(self.trainable_weights)

    @property
    def non_trainable_variables(self) -> tuple:
        """`non_trainable_weights` as a tuple."""
        return tuple(self.non_trainable_weights)

    def _regularized_weights(self) -> list[tuple[tf.Variable, Any]]:
        """``(variable, regularizer)`` of every trainable weight that has one."""
        layers = [self] + self._flatten_sublayers()
        trainable = {id(w) for w in self.trainable_weights}
        return [(w, layer._regularizers[w.ref()]) for layer in layers for w in layer._weights
                if w.ref() in layer._regularizers and id(w) in trainable]

    def get_weights(self) -> list[np.ndarray]:
        """The current values of `weights`, as NumPy arrays in the same order."""
        return [w.numpy() for w in self.weights]

    # ---- setting ------------------------------------------------------------------------
    def set_weights(self, weights: Sequence[Any]) -> None:
        """Sets every weight from arrays in `get_weights` order; checks them all first.

        Raises ValueError naming the first layer whose arrays do not fit (count or shape);
        nothing is assigned then.
        """
        if isinstance(weights, (str, bytes)) or not hasattr(weights, "__iter__"):
            raise TypeError("Expected `weights` to be a list of arrays (as get_weights() "
                            f"returns). Received: {type(weights).__name__}")
        weights = list(weights)
        owned = self._owned_weights()
        checked = []
        for i, (owner, var) in enumerate(owned):
            label = f"Layer '{owner.name}' weight '{var.name.split(':')[0]}'"
            if i >= len(weights):
                what = "model" if self._direct_sublayers() else "layer"
                raise ValueError(
                    f"{label} of shape {tuple(var.shape)} has no array: set_weights received "
                    f"{len(weights)} arrays, the {what} has {len(owned)}.")
            array = np.asarray(weights[i], dtype=var.dtype.as_numpy_dtype)
            if array.shape != tuple(var.shape):
                raise ValueError(f"{label} has shape {tuple(var.shape)}, received an array of "
                                 f"shape {array.shape} (array {i}).")
            checked.append((var, array))
        if len(weights) != len(owned):
            raise ValueError(
                f"Layer '{self.name}' has {len(owned)} weight arrays, but set_weights received "
                f"{len(weights)}; the extra ones start with shape {np.shape(weights[len(owned)])}.")
        for var, array in checked:
            var.assign(array)

    def count_params(self) -> int:
        """The number of scalars in the weights; raises ValueError if the layer is not built."""
        if not self.built:
            raise ValueError(
                f"Layer '{self.name}' is not built yet, so it has no weights to count. Call it "
                "on an input or build it first.")
        return int(sum(np.prod(w.shape) for w in self.weights))

    def weight_shapes(self, input_shape: tuple) -> list[tuple[str, tuple]] | None:
        """``(name, shape)`` of every weight the layer will have once built for
        ``input_shape``, without creating any; None when it cannot tell (a subclass with its
        own `build` that does not override this). Loading checks a file against these before
        allocating anything. Without a `build` of its own, a layer has the weights it has now
        (none, or those its constructor made)."""
        from minikeras.layers.layer import Layer
        if type(self).build is not Layer.build:
            return None
        return [(w.name.split(":")[0], tuple(w.shape)) for w in self.weights]
