"""keras.src.testing.test_utils: test-data and parameter-product helpers."""
from __future__ import annotations

import itertools
from typing import Any

import numpy as np


def get_test_data(train_samples: int, test_samples: int, input_shape: tuple,
                  num_classes: int, random_seed: int | None = None) -> tuple:
    """Separable synthetic classification data: one noisy template per class, classes
    balanced in both splits. Returns ``(x_train, y_train), (x_test, y_test)``."""
    rng = np.random.RandomState(random_seed)
    templates = 2 * num_classes * rng.random_sample((num_classes, *input_shape))

    def draw(n: int) -> tuple[np.ndarray, np.ndarray]:
        y = np.arange(n) % num_classes
        rng.shuffle(y)
        x = templates[y] + rng.normal(size=(n, *input_shape))
        return x.astype("float32"), y.astype("int64")

    return draw(train_samples), draw(test_samples)


def _name(value: Any) -> str:
    return (value.__name__ if hasattr(value, "__name__") else str(value)).lower()


def named_product(*args: Any, **kwargs: Any) -> list[dict]:
    """The cartesian product of parameter choices, each case named by joining its parts'
    names with ``_`` (for ``parameterized.named_parameters``).

    Positional arguments are sequences of dicts with a ``"testcase_name"``; keyword
    arguments map a parameter name to its values (named by ``__name__`` or ``str``).
    """
    groups = [list(group) for group in args]
    groups += [[{"testcase_name": _name(v), key: v} for v in values]
               for key, values in kwargs.items()]
    cases = []
    for combo in itertools.product(*groups):
        case: dict = {}
        for part in combo:
            case.update(part)
        case["testcase_name"] = "_".join(part["testcase_name"] for part in combo)
        cases.append(case)
    return cases
