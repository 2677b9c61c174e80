"""Name lookup shared by every `get()`: strings resolve only through explicit tables.

Nothing here imports by name or evaluates text, so resolving an identifier can never run
code that the registry's owner did not put there.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping


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
