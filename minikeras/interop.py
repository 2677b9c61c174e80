"""Convert between minikeras and keras models (keras is imported only when these are called).

    keras_model = minikeras.interop.to_keras(model)     # same weights, same predictions
    model = minikeras.interop.from_keras(keras_model)   # for the layers minikeras has

A layer without a counterpart raises a ValueError naming it.
"""
from __future__ import annotations

from typing import Any

from minikeras import activations, layers
from minikeras.models.sequential import Sequential


def _activation_name(fn: Any, layer_name: str) -> str:
    try:
        return activations.serialize(fn)
    except ValueError:
        raise ValueError(f"Layer '{layer_name}' uses a custom activation {fn!r} that has no "
                         "keras counterpart by name.") from None


def to_keras(model: Sequential) -> Any:
    """Builds an equivalent `keras.Sequential` with the same weights."""
    import keras

    if not model.built:
        raise ValueError(f"Model '{model.name}' must be built before conversion.")

    def convert(layer: Any) -> Any:
        if isinstance(layer, Sequential):
            return keras.Sequential([convert(l) for l in layer.layers], name=layer.name)
        if isinstance(layer, layers.Dense):
            return keras.layers.Dense(layer.units, use_bias=layer.use_bias, name=layer.name,
                                      activation=_activation_name(layer.activation, layer.name))
        if isinstance(layer, layers.Activation):
            return keras.layers.Activation(_activation_name(layer.activation, layer.name),
                                           name=layer.name)
        if isinstance(layer, layers.Dropout):
            return keras.layers.Dropout(layer.rate, seed=layer.seed, name=layer.name)
        if isinstance(layer, layers.Flatten):
            return keras.layers.Flatten(name=layer.name)
        if isinstance(layer, layers.Softmax):
            return keras.layers.Softmax(axis=layer.axis, name=layer.name)
        raise ValueError(f"Layer '{layer.name}' ({type(layer).__name__}) has no keras "
                         "counterpart in minikeras.interop.")

    result = keras.Sequential([keras.Input(tuple(model.input_spec_shape[1:]))] +
                              [convert(l) for l in model.layers], name=model.name)
    result.set_weights(model.get_weights())
    return result


def from_keras(keras_model: Any) -> Sequential:
    """Builds a minikeras `Sequential` from a keras Sequential of Dense, Activation, Dropout,
    Flatten, Softmax (and nested Sequential) layers, with the same weights."""
    import keras

    def activation(fn: Any, name: str) -> Any:
        serialized = keras.activations.serialize(fn)
        key = serialized if isinstance(serialized, str) else serialized.get("config", serialized)
        try:
            return activations.get(key if isinstance(key, str) else str(key))
        except (ValueError, TypeError):
            raise ValueError(f"Layer '{name}' uses activation {key!r}, which minikeras does not "
                             "have.") from None

    def convert(layer: Any) -> Any:
        kind = type(layer).__name__
        if isinstance(layer, keras.Sequential):
            return Sequential([convert(l) for l in layer.layers], name=layer.name)
        if kind == "Dense":
            return layers.Dense(layer.units, use_bias=layer.use_bias, name=layer.name,
                                activation=activation(layer.activation, layer.name))
        if kind == "Activation":
            return layers.Activation(activation(layer.activation, layer.name), name=layer.name)
        if kind == "Dropout":
            return layers.Dropout(layer.rate, seed=None, name=layer.name)
        if kind == "Flatten":
            return layers.Flatten(name=layer.name)
        if kind == "Softmax":
            return layers.Softmax(axis=layer.axis, name=layer.name)
        raise ValueError(f"Layer '{layer.name}' ({kind}) has no minikeras counterpart.")

    if not isinstance(keras_model, keras.Sequential):
        raise ValueError(f"from_keras converts keras Sequential models; received "
                         f"{type(keras_model).__name__}.")
    if not keras_model.built:
        raise ValueError("Build the keras model (give it an Input) before converting it.")
    converted = [convert(l) for l in keras_model.layers]  # errors before anything is built
    model = Sequential(converted, name=keras_model.name)
    model.build((None,) + tuple(keras_model.input_shape[1:]))
    model.set_weights(keras_model.get_weights())
    return model
