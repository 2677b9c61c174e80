"""Layers: `Dense` and its companions, all `tf.Module`s built lazily on their first input."""
from minikeras.layers.core import Activation, Dropout, Flatten, Input, InputLayer, Softmax
from minikeras.layers.dense import Dense
from minikeras.layers.layer import Layer

__all__ = ["Activation", "Dense", "Dropout", "Flatten", "Input", "InputLayer", "Layer", "Softmax"]
