"""keras.src.tree on `tf.nest` (test plumbing: structure helpers the tests call)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import tensorflow as tf


def flatten(structure: Any) -> list:
    """Leaves of a nested structure, in `tf.nest` order."""
    return tf.nest.flatten(structure)


def map_structure(func: Callable, *structures: Any) -> Any:
    """Applies ``func`` leaf-wise over matching structures."""
    return tf.nest.map_structure(func, *structures)


def is_nested(structure: Any) -> bool:
    """True for lists, tuples and dicts."""
    return tf.nest.is_nested(structure)


def map_shape_structure(func: Callable, structure: Any) -> Any:
    """Applies ``func`` to every shape tuple (a tuple of ints/None) in ``structure``."""
    if isinstance(structure, tuple) and all(d is None or isinstance(d, int) for d in structure):
        return func(structure)
    if isinstance(structure, dict):
        return {k: map_shape_structure(func, v) for k, v in structure.items()}
    if isinstance(structure, (list, tuple)):
        return type(structure)(map_shape_structure(func, v) for v in structure)
    return func(structure)


def assert_same_structure(a: Any, b: Any) -> None:
    """Raises ValueError when ``a`` and ``b`` differ in nesting (leaf types ignored)."""
    try:
        tf.nest.assert_same_structure(a, b, check_types=False)
    except (ValueError, TypeError) as err:
        raise ValueError(f"Expected an instance of {type(a).__name__}, got "
                         f"{type(b).__name__} (structures differ: {err})") from None


def flatten_with_path(structure: Any) -> list:
    """``(path, leaf)`` pairs in `flatten` order."""
    if isinstance(structure, dict):
        items = [(k, structure[k]) for k in sorted(structure)]
    elif isinstance(structure, (list, tuple)):
        items = list(enumerate(structure))
    else:
        return [((), structure)]
    return [((key,) + path, leaf) for key, value in items
            for path, leaf in flatten_with_path(value)]
