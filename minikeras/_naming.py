"""Names as keras makes them: snake-cased class names, made unique per prefix."""
from __future__ import annotations

import collections
import re

_counts: collections.Counter = collections.Counter()


def to_snake_case(name: str) -> str:
    """``"MeanSquaredError"`` -> ``"mean_squared_error"``, ``"HTTPDense"`` -> ``"http_dense"``
    (keras's rule)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def unique_name(base: str) -> str:
    """Returns ``base``, then ``base_1``, ``base_2``... as keras names new layers."""
    count = _counts[base]
    _counts[base] += 1
    return base if count == 0 else f"{base}_{count}"


def reset_names() -> None:
    """Forgets the names given so far (`backend.clear_session()` calls this)."""
    _counts.clear()
