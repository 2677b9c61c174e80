"""Tensors in and out: conversion, casting, shapes, gradients stopped (keras.ops core)."""
from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf

from minikeras import backend


def convert_to_tensor(x: Any, dtype: Any = None, sparse: Any = None) -> tf.Tensor:
    """``x`` as a tensor (``dtype`` if given); Python floats become float32."""
    del sparse  # dense tensors only
    if dtype is not None:
        dtype = tf.as_dtype(dtype)
        if isinstance(x, tf.Tensor | tf.Variable) and x.dtype != dtype:
            return tf.cast(x, dtype)
    return tf.convert_to_tensor(x, dtype=dtype)


def convert_to_numpy(x: Any) -> np.ndarray:
    """``x`` as a NumPy array (a copy of a tensor's value)."""
    if isinstance(x, tf.Tensor | tf.Variable) or hasattr(x, "numpy"):
        return np.asarray(x.numpy())
    return np.asarray(x)


def cast(x: Any, dtype: Any) -> tf.Tensor:
    """``x`` converted to ``dtype``."""
    return tf.cast(convert_to_tensor(x), tf.as_dtype(dtype))


def shape(x: Any) -> tuple:
    """The shape as a tuple: ints where known, scalar tensors where only known at run time."""
    x = convert_to_tensor(x)
    static, dynamic = x.shape.as_list(), None
    out = []
    for i, size in enumerate(static):
        if size is None:
            dynamic = tf.shape(x) if dynamic is None else dynamic
            size = dynamic[i]
        out.append(size)
    return tuple(out)


def ndim(x: Any) -> int:
    """The rank of ``x``."""
    return convert_to_tensor(x).shape.rank


def size(x: Any) -> Any:
    """The number of elements of ``x``."""
    return tf.size(convert_to_tensor(x))


def stop_gradient(variable: Any) -> tf.Tensor:
    """``variable``'s value, through which no gradient flows."""
    return tf.stop_gradient(variable)


def floatx_tensor(x: Any) -> tf.Tensor:
    """``x`` as a tensor, integers and booleans cast to ``backend.floatx()``."""
    x = convert_to_tensor(x)
    return x if x.dtype.is_floating else tf.cast(x, backend.floatx())
