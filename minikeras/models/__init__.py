"""Models: `Model` (functional and subclassed), `Sequential`, and `load_model`."""
from minikeras.models.functional import Functional
from minikeras.models.model import Model
from minikeras.models.sequential import Sequential
from minikeras.saving import load_model

__all__ = ["Functional", "Model", "Sequential", "load_model"]
