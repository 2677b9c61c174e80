"""Name lookup shared by every `get()`: strings resolve only through explicit tables.

Nothing here imports by name or evaluates text, so resolving an identifier can never run
code that the registry's owner did not put there.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


def lookup(identifier: str, table: Mapping[str, Any], kind: str) -> Any:
    """Returns ``table[identifier]`` or raises a ValueError that lists the valid names.

    Args:
      identifier: The name to look up (case-sensitive, as keras).
      table: Mapping from names to objects.
      kind: What is being looked up, for the message (e.g. ``"activation function"``).
    """
    if not isinstance(identifier, str):
        raise TypeError(f"Expected a string {kind} identifier. Received: {identifier!r}")
    try:
        return table[identifier]
    except KeyError:
        valid = ", ".join(sorted(table))
        raise ValueError(
            f"Could not interpret {kind} identifier: {identifier!r}. "
            f"Valid names are: {valid}."
        ) from None


def check_callable(identifier: Any, kind: str) -> Callable:
    """Returns ``identifier`` if callable, else raises a TypeError naming what was received."""
    if not callable(identifier):
        raise TypeError(
            f"Could not interpret {kind} identifier: expected a string or a callable. "
            f"Received: {identifier!r} of type {type(identifier).__name__}"
        )
    return identifier


def serialize_registered(obj: Any, classes: Mapping[str, type], kind: str) -> dict:
    """``{"class_name": ..., "config": ...}`` for an instance of a registered class."""
    if classes.get(type(obj).__name__) is not type(obj):
        raise ValueError(
            f"Can only serialize built-in {kind} classes ({', '.join(sorted(classes))}). "
            f"Received: {obj!r}")
    return {"class_name": type(obj).__name__, "config": obj.get_config()}


def deserialize_registered(config: Any, classes: Mapping[str, type], kind: str) -> Any:
    """Rebuilds an object from `serialize_registered`'s dict; names resolve from the table only."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            "Expected a dict with keys 'class_name' and 'config'. Received: "
            f"{sorted(config) if isinstance(config, dict) else config!r}")
    cls = lookup(config["class_name"], classes, f"{kind} class")
    return cls.from_config(dict(config.get("config") or {}))


CUSTOM = "__custom__"

# Objects registered with `minikeras.saving.register_keras_serializable`, by their registered
# name ``"package>name"``; and the registered name of each object (by id). Filled only by
# code the user runs (the decorator); loading a file only looks names up here.
REGISTERED: dict[str, Any] = {}
REGISTERED_NAMES: dict[int, str] = {}


def registered_name(obj: Any) -> str:
    """``"package>name"`` for a registered object, else its ``__name__`` (or class name)."""
    name = REGISTERED_NAMES.get(id(obj))
    if name is not None and REGISTERED.get(name) is obj:
        return name
    return getattr(obj, "__name__", None) or type(obj).__name__


def find_custom(name: Any, custom_objects: Mapping[str, Any] | None = None) -> Any:
    """``custom_objects[name]``, else the object registered under ``name``, else None."""
    if not isinstance(name, str):
        return None
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    return REGISTERED.get(name)


def serialize_or_custom(obj: Any, serialize: Callable[[Any], Any]) -> Any:
    """``serialize(obj)`` for a registered object; for a custom one, a reference by name
    ``{"__custom__": name}`` (plus its ``"config"`` when it has `get_config`) that loading
    resolves only through an explicit ``custom_objects={name: ...}`` or, for an object
    registered with `minikeras.saving.register_keras_serializable`, its ``"package>name"``."""
    try:
        return serialize(obj)
    except (ValueError, TypeError, KeyError):
        fn = getattr(obj, "fn", obj)
        registered = [c for c in (obj, type(obj), fn) if id(c) in REGISTERED_NAMES]
        name = registered_name(registered[0]) if registered else (
            getattr(fn, "__name__", None) or type(obj).__name__)
        entry: dict = {CUSTOM: name}
        get_config = getattr(obj, "get_config", None)
        if callable(get_config) and not isinstance(obj, type):
            try:
                entry["config"] = get_config()
            except Exception:  # a custom object may not implement it; the name is enough
                pass
        return entry
