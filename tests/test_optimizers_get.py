"""keras's `optimizers.get` rules and auto-naming, against keras."""
from __future__ import annotations

import keras
import pytest

from minikeras import _naming, optimizers


def test_get_none_and_names_as_keras():
    assert optimizers.get(None) is None and keras.optimizers.get(None) is None
    for name in ("sgd", "adam", "Adam", "adamw", "rmsprop", "adagrad"):
        assert type(optimizers.get(name)).__name__ == type(keras.optimizers.get(name)).__name__
    with pytest.raises(ValueError):
        optimizers.get("typo")


def test_auto_naming_as_keras():
    _naming.reset_names()
    keras.backend.clear_session()
    for cls in ("Adam", "SGD", "AdamW", "RMSprop"):
        ours = [getattr(optimizers, cls)().name for _ in range(2)]
        theirs = [getattr(keras.optimizers, cls)().name for _ in range(2)]
        assert ours == theirs
    assert optimizers.Adam(name="my_adam").name == "my_adam"
    again = optimizers.deserialize(optimizers.serialize(optimizers.SGD(name="sgd_7")))
    assert again.name == "sgd_7"
