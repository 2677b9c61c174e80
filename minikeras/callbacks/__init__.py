"""Callbacks: hooks into fit, evaluate and predict."""
from minikeras.callbacks.callback import Callback, CallbackList
from minikeras.callbacks.history import History
from minikeras.callbacks.progbar import ProgbarLogger

__all__ = ["Callback", "CallbackList", "History", "ProgbarLogger"]
