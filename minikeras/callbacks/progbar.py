"""ProgbarLogger: a live tqdm bar per epoch (verbose=1) or one line per epoch (verbose=2)."""
from __future__ import annotations

import importlib.util
import sys
import time

# tqdm.auto draws a widget in Jupyter, which needs ipywidgets (without it tqdm warns); plain
# text bars work in a terminal and in a notebook alike.
if importlib.util.find_spec("ipywidgets") is not None:
    from tqdm.auto import tqdm
else:
    from tqdm.std import tqdm

from minikeras.callbacks.callback import Callback


def format_logs(logs: dict) -> str:
    return " - ".join(f"{k}: {v:.4f}" for k, v in logs.items())


def is_interactive() -> bool:
    """True in a terminal or a Jupyter kernel, where a live bar is useful."""
    try:
        from IPython import get_ipython  # optional; present in notebooks
        if get_ipython() is not None and "IPKernelApp" in get_ipython().config:
            return True
    except Exception:  # IPython missing or not a kernel
        pass
    return sys.stdout.isatty()


def resolve_verbose(verbose: int | str) -> int:
    """``"auto"`` is 1 when interactive, else 2; otherwise 0, 1 or 2."""
    if verbose == "auto":
        return 1 if is_interactive() else 2
    if isinstance(verbose, bool) or verbose not in (0, 1, 2):
        raise ValueError(f"Expected `verbose` to be 'auto', 0, 1 or 2. Received: verbose={verbose!r}")
    return int(verbose)


class ProgbarLogger(Callback):
    """Shows training progress: steps, ETA, loss and metrics.

    Args:
      verbose: 1 for a live bar per epoch (tqdm; also renders in Jupyter), 2 for one line per
        epoch. Evaluate and predict show a bar with verbose 1 and one line at the end with 2.
    """

    needs_batch_hooks = False  # it shows progress per compiled call; no need to slow training

    def __init__(self, verbose: int = 1):
        super().__init__()
        self.verbose = verbose
        self._bar = None
        self._seen = 0
        self._start = 0.0
        self._in_fit = False

    def _open(self, total: int | None, desc: str) -> None:
        self._bar = tqdm(total=total, desc=desc, unit="step", leave=True, dynamic_ncols=True,
                         file=sys.stdout)
        self._seen = 0

    def _advance(self, batch: int, logs: dict | None) -> None:
        """Counts batches up to ``batch`` as seen; moves the bar when one is open."""
        if self._bar is not None:
            self._bar.update(batch + 1 - self._seen)
            if logs:
                self._bar.set_postfix_str(format_logs(logs), refresh=False)
        self._seen = batch + 1

    def _close(self, logs: dict | None = None) -> None:
        if self._bar is not None:
            if logs:
                self._bar.set_postfix_str(format_logs(logs), refresh=False)
            self._bar.close()
            self._bar = None

    def on_train_begin(self, logs=None):
        self._in_fit = True

    def on_train_end(self, logs=None):
        self._close()
        self._in_fit = False

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()
        desc = f"Epoch {epoch + 1}/{self.params.get('epochs')}"
        if self.verbose == 1:
            self._open(self.params.get("steps"), desc)

    def on_train_batch_end(self, batch, logs=None):
        if self.verbose == 1:
            self._advance(batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.verbose == 1:
            self._close(logs)
        else:
            state = getattr(self.model, "training_state", None)
            took = state.epoch_seconds if state is not None and state.epoch_seconds is not None \
                else time.perf_counter() - self._start
            print(f"Epoch {epoch + 1}/{self.params.get('epochs')} - {took:.2f}s - "
                  f"{format_logs(logs or {})}", flush=True)

    def _summary_line(self, logs: dict | None) -> None:
        """verbose=2 outside fit: ``steps/steps - time - logs`` once, at the end (as keras)."""
        took = time.perf_counter() - self._start
        text = f"{self._seen}/{self._seen} - {took:.2f}s"
        print(f"{text} - {format_logs(logs)}" if logs else text, flush=True)

    def on_test_begin(self, logs=None):
        if not self._in_fit:
            self._start, self._seen = time.perf_counter(), 0
            if self.verbose == 1:
                self._open(self.params.get("steps"), "Evaluate")

    def on_test_batch_end(self, batch, logs=None):
        if not self._in_fit:
            self._advance(batch, logs)

    def on_test_end(self, logs=None):
        if not self._in_fit:
            if self.verbose == 1:
                self._close(logs)
            else:
                self._summary_line(logs)

    def on_predict_begin(self, logs=None):
        self._start, self._seen = time.perf_counter(), 0
        if self.verbose == 1:
            self._open(self.params.get("steps"), "Predict")

    def on_predict_batch_end(self, batch, logs=None):
        self._advance(batch, None)

    def on_predict_end(self, logs=None):
        if self.verbose == 1:
            self._close()
        else:
            self._summary_line(None)
