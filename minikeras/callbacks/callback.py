"""The Callback base class (keras's hook names) and CallbackList, which calls them in order."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class Callback:
    """Base class for objects that act at points of fit, evaluate and predict.

    Override any hook; each receives ``logs``, a dict of floats (``loss``, metrics, and at epoch
    end ``val_`` entries). ``self.model`` and ``self.params`` (``epochs``, ``steps``,
    ``verbose``) are set before training begins. Set ``self.model.stop_training = True`` to
    stop after the current epoch.
    """

    def __init__(self) -> None:
        self.model: Any = None
        self.params: dict = {}

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_params(self, params: dict) -> None:
        self.params = params

    # training
    def on_train_begin(self, logs: dict | None = None) -> None: ...
    def on_train_end(self, logs: dict | None = None) -> None: ...
    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None: ...
    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None: ...
    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self.on_batch_begin(batch, logs)  # keras's older names, still called as keras calls them

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self.on_batch_end(batch, logs)

    def on_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...
    def on_batch_end(self, batch: int, logs: dict | None = None) -> None: ...
    # evaluation
    def on_test_begin(self, logs: dict | None = None) -> None: ...
    def on_test_end(self, logs: dict | None = None) -> None: ...
    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...
    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None: ...
    # prediction
    def on_predict_begin(self, logs: dict | None = None) -> None: ...
    def on_predict_end(self, logs: dict | None = None) -> None: ...
    def on_predict_batch_begin(self, batch: int, logs: dict | None = None) -> None: ...
    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None: ...

    @property
    def needs_batch_hooks(self) -> bool:
        """True when the subclass overrides a per-batch hook (the fit loop then stays live)."""
        base = Callback
        return any(getattr(type(self), h) is not getattr(base, h) for h in (
            "on_train_batch_begin", "on_train_batch_end", "on_batch_begin", "on_batch_end",
            "on_test_batch_begin",
            "on_test_batch_end", "on_predict_batch_begin", "on_predict_batch_end"))


def callback_list(callbacks: Any) -> list[Callback]:
    """``callbacks`` as fit, evaluate and predict accept it: None, one `Callback`, or a list
    (or other iterable) of them, as keras accepts; returns a new list.

    Raises:
      TypeError: naming `callbacks`, for anything else (a class instead of an instance, a
        string, a dict, a number, or a list with such an entry).
    """
    if callbacks is None:
        return []
    if isinstance(callbacks, Callback):
        return [callbacks]
    if isinstance(callbacks, type) and issubclass(callbacks, Callback):
        raise TypeError(f"Expected `callbacks` to hold Callback instances. Received the class "
                        f"{callbacks.__name__}; pass {callbacks.__name__}(...) instead.")
    if isinstance(callbacks, (str, bytes, dict)) or not isinstance(callbacks, Iterable):
        raise TypeError(
            "Expected `callbacks` to be a minikeras.callbacks.Callback or a list of them. "
            f"Received: callbacks={callbacks!r} of type {type(callbacks).__name__}")
    callbacks = list(callbacks)
    for cb in callbacks:
        if not isinstance(cb, Callback):
            raise TypeError(
                "Expected every entry of `callbacks` to be a minikeras.callbacks.Callback. "
                f"Received: {cb!r} of type {type(cb).__name__}")
    return callbacks


class CallbackList:
    """Calls a hook on every callback in order.

    Args:
      callbacks: None, one `Callback` or a list of them (checked by `callback_list`).
      model: The model every callback gets through ``set_model``.
      params: The dict every callback gets through ``set_params``.
    """

    def __init__(self, callbacks: Iterable[Callback] | Callback | None, model: Any,
                 params: dict):
        callbacks = callback_list(callbacks)
        self.callbacks = callbacks
        for cb in callbacks:
            cb.set_model(model)
            cb.set_params(params)

    @property
    def needs_batch_hooks(self) -> bool:
        return any(cb.needs_batch_hooks for cb in self.callbacks)

    def call(self, hook: str, *args: Any) -> None:
        for cb in self.callbacks:
            getattr(cb, hook)(*args)
