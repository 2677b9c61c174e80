"""Models: `Sequential`, and `load_model` for files written by `Sequential.save`."""
from minikeras.models.sequential import Sequential
from minikeras.saving import load_model

__all__ = ["Sequential", "load_model"]
