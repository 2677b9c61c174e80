"""LambdaCallback: a callback built from plain functions."""
from __future__ import annotations

from collections.abc import Callable

from minikeras.callbacks.callback import Callback

_HOOKS = ("on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end",
          "on_train_batch_begin", "on_train_batch_end", "on_test_begin", "on_test_end",
          "on_test_batch_begin", "on_test_batch_end", "on_predict_begin", "on_predict_end",
          "on_predict_batch_begin", "on_predict_batch_end", "on_batch_begin", "on_batch_end")
_BATCH_HOOKS = tuple(h for h in _HOOKS if "batch_" in h)


class LambdaCallback(Callback):
    """Calls the given functions at the matching hooks; hooks not given do nothing.

    The functions take the hook's arguments: ``on_epoch_begin``/``on_epoch_end`` get
    ``(epoch, logs)``, the batch hooks ``(batch, logs)``, the others ``(logs)``. Any other hook
    of `Callback` can be passed by name too (``on_test_end=f``). A batch hook makes the fit
    loop run one step per compiled call under ``steps_per_execution="auto"``, so that it is
    called for every batch.

    Args:
      on_epoch_begin: ``f(epoch, logs)`` or None.
      on_epoch_end: ``f(epoch, logs)`` or None.
      on_train_begin: ``f(logs)`` or None.
      on_train_end: ``f(logs)`` or None.
      on_train_batch_begin: ``f(batch, logs)`` or None.
      on_train_batch_end: ``f(batch, logs)`` or None.
      **kwargs: Other hooks by name. An unknown ``on_...`` name raises a TypeError (a
        misspelt hook would never run); other names are stored as attributes, as keras does.

    Example:
      >>> from minikeras.callbacks import LambdaCallback
      >>> printer = LambdaCallback(on_epoch_end=lambda epoch, logs: print(epoch, logs["loss"]))
    """

    def __init__(self, on_epoch_begin: Callable | None = None,
                 on_epoch_end: Callable | None = None, on_train_begin: Callable | None = None,
                 on_train_end: Callable | None = None,
                 on_train_batch_begin: Callable | None = None,
                 on_train_batch_end: Callable | None = None, **kwargs: Callable):
        super().__init__()
        unknown = sorted(set(kwargs) - set(_HOOKS))
        misspelt = [name for name in unknown if name.startswith("on_")]
        if misspelt:  # it would never run
            raise TypeError(f"LambdaCallback got unknown hook name(s) {misspelt}. Expected "
                            f"names from: {', '.join(_HOOKS)}")
        for name in unknown:  # other names are stored as attributes, as keras does
            setattr(self, name, kwargs.pop(name))
        hooks = dict(kwargs, on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end,
                     on_train_batch_begin=on_train_batch_begin,
                     on_train_batch_end=on_train_batch_end)
        self._given = []
        for name, fn in hooks.items():
            if fn is None:
                continue
            if not callable(fn):
                raise TypeError(f"Expected `{name}` to be a function. Received: {fn!r}")
            setattr(self, name, fn)
            self._given.append(name)

    @property
    def needs_batch_hooks(self) -> bool:
        return any(name in _BATCH_HOOKS for name in self._given)
