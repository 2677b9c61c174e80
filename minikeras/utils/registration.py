"""`register_keras_serializable`: make a custom class or function loadable by name.

Registration only: the decorator records the object under ``"package>name"`` in a table
(`minikeras._registry.REGISTERED`) that `load_model`'s custom-object lookup consults after
``custom_objects``. A saved file can only *name* an object registered by code the user ran;
loading never imports a module or runs code the file names.

Example:
  >>> @register_keras_serializable(package="my_pkg")
  ... class Scaled(minikeras.losses.Loss):
  ...     def call(self, y_true, y_pred):
  ...         return tf.reduce_mean(tf.square(y_true - y_pred), axis=-1)
  >>> get_registered_name(Scaled)
  'my_pkg>Scaled'
"""
from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from minikeras._registry import REGISTERED, REGISTERED_NAMES, find_custom, registered_name


def register_keras_serializable(package: str = "Custom", name: str | None = None
                                ) -> Callable[[Any], Any]:
    """Decorator recording a class or function under ``"package>name"`` (keras's rule).

    Args:
      package: The package part of the name. Default ``"Custom"``. Must not contain ``">"``.
      name: Defaults to the object's ``__name__``.

    Raises:
      ValueError: ``package`` contains ``">"``, or a class without ``get_config``.
    """
    if not isinstance(package, str) or ">" in package:
        raise ValueError(f"Invalid package name. Expected a string without '>'. Received: "
                         f"package={package!r}")
    if name is not None and not isinstance(name, str):
        raise TypeError(f"Expected `name` to be a string or None. Received: name={name!r}")

    def decorator(arg: Any) -> Any:
        class_name = name if name is not None else getattr(arg, "__name__", None)
        if class_name is None:
            raise ValueError(f"Cannot register {arg!r}: it has no __name__; pass name=.")
        if inspect.isclass(arg) and not hasattr(arg, "get_config"):
            raise ValueError("Cannot register a class that does not have a get_config() method.")
        full_name = f"{package}>{class_name}"
        REGISTERED[full_name] = arg
        REGISTERED_NAMES[id(arg)] = full_name
        return arg

    return decorator


def get_registered_name(obj: Any) -> str:
    """The name ``obj`` was registered under, else its ``__name__``."""
    return registered_name(obj)


def get_registered_object(name: str, custom_objects: dict | None = None,
                          module_objects: dict | None = None) -> Any:
    """``custom_objects[name]``, else the registered object, else ``module_objects[name]``,
    else None (a table lookup: nothing is imported)."""
    found = find_custom(name, custom_objects)
    if found is None and module_objects and name in module_objects:
        found = module_objects[name]
    return found


def get_custom_objects() -> dict:
    """The live table of registered objects (``"package>name" -> object``), as keras's."""
    return REGISTERED
