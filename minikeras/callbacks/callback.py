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
        """Sets ``self.model``, the model being trained, evaluated or run."""
        self.model = model

    def set_params(self, params: dict) -> None:
        """Sets ``self.params`` (``epochs``, ``steps``, ``verbose``)."""
        self.params = params

    # training
    def on_train_begin(self, logs: dict | None = None) -> None:
        """Called once at the start of `fit`, before the first epoch."""

    def on_train_end(self, logs: dict | None = None) -> None:
        """Called once at the end of `fit` (also after Ctrl-C or ``stop_training``); ``logs``
        are the last epoch's."""

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        """Called at the start of epoch ``epoch`` (counted from 0) of `fit`."""

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        """Called at the end of epoch ``epoch`` with the epoch's running means of the loss and
        metrics, and the ``val_`` entries when there is validation data."""

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called before training batch ``batch`` of the epoch (counted from 0); defining a
        per-batch hook makes `fit` run one step per compiled call (see `needs_batch_hooks`)."""
        self.on_batch_begin(batch, logs)  # keras's older names, still called as keras calls them

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called after training batch ``batch`` with the epoch's running loss and metrics."""
        self.on_batch_end(batch, logs)

    def on_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """keras's older name of `on_train_batch_begin`, which calls it."""

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """keras's older name of `on_train_batch_end`, which calls it."""

    # evaluation
    def on_test_begin(self, logs: dict | None = None) -> None:
        """Called at the start of `evaluate` (and of each validation pass of `fit`)."""

    def on_test_end(self, logs: dict | None = None) -> None:
        """Called at the end of `evaluate` (and of each validation pass) with its results."""

    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called before batch ``batch`` of `evaluate` or of a validation pass."""

    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called after batch ``batch`` of `evaluate` or of a validation pass, with the running results."""

    # prediction
    def on_predict_begin(self, logs: dict | None = None) -> None:
        """Called at the start of `predict`."""

    def on_predict_end(self, logs: dict | None = None) -> None:
        """Called at the end of `predict`."""

    def on_predict_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called before batch ``batch`` of `predict`."""

    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called after batch ``batch`` of `predict`; ``logs`` holds ``outputs``."""

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
    """Calls a hook on every callback in order; keras's signature.

    ``CallbackList(callbacks, model=model, epochs=2, steps=10, verbose=0)`` as keras (extra
    keyword arguments are the ``params`` every callback gets); minikeras's own form
    ``CallbackList(callbacks, model, params_dict)`` is accepted too. Every hook is also a
    method (``cbs.on_epoch_end(0, logs)``); ``logs`` is ``{}`` when not given, as keras.

    Args:
      callbacks: None, one `Callback` or a list of them (checked by `callback_list`).
      add_history: Append a `History` callback if none is given. Default False.
      add_progbar: Append a `ProgbarLogger` if none is given. Default False.
      model: The model every callback gets through ``set_model``.
      **params: The dict every callback gets through ``set_params``.
    """

    def __init__(self, callbacks: Iterable[Callback] | Callback | None = None,
                 add_history: Any = False, add_progbar: Any = False, model: Any = None,
                 **params: Any):
        if not isinstance(add_history, bool):  # minikeras's (callbacks, model, params) form
            model, params = add_history, dict(add_progbar or {}, **params)
            add_history = add_progbar = False
        callbacks = callback_list(callbacks)
        from minikeras.callbacks.history import History
        from minikeras.callbacks.progbar import ProgbarLogger
        if add_history and not any(isinstance(cb, History) for cb in callbacks):
            callbacks.append(History())
        if add_progbar and not any(isinstance(cb, ProgbarLogger) for cb in callbacks):
            callbacks.append(ProgbarLogger(params.get("verbose", 1)))
        self.callbacks = callbacks
        self.model = model
        self.params = params
        for cb in callbacks:
            cb.set_model(model)
            cb.set_params(params)

    def append(self, callback: Callback) -> None:
        """Adds a callback, given the list's model and params."""
        callback.set_model(self.model)
        callback.set_params(self.params)
        self.callbacks.append(callback)

    def set_model(self, model: Any) -> None:
        """Gives every callback the model."""
        self.model = model
        for cb in self.callbacks:
            cb.set_model(model)

    def set_params(self, params: dict) -> None:
        """Gives every callback the params."""
        self.params = params
        for cb in self.callbacks:
            cb.set_params(params)

    @property
    def needs_batch_hooks(self) -> bool:
        """True when any callback needs per-batch hooks."""
        return any(cb.needs_batch_hooks for cb in self.callbacks)

    def call(self, hook: str, *args: Any) -> None:
        """Calls the hook named ``hook`` on every callback, in order, with ``args``."""
        for cb in self.callbacks:
            getattr(cb, hook)(*args)


def _list_hook(name: str, with_index: bool) -> Any:
    if with_index:
        def hook(self: CallbackList, index: int, logs: dict | None = None) -> None:
            self.call(name, index, {} if logs is None else logs)
    else:
        def hook(self: CallbackList, logs: dict | None = None) -> None:
            self.call(name, {} if logs is None else logs)
    hook.__name__ = name
    hook.__doc__ = f"Calls ``{name}`` on every callback."
    return hook


for _name in [n for n in vars(Callback) if n.startswith("on_")]:
    setattr(CallbackList, _name, _list_hook(_name, "batch" in _name or "epoch" in _name))
