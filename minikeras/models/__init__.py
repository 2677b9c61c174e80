"""Models: `Model` (functional and subclassed), `Sequential`, `load_model`, `model_from_json`
and `clone_model`."""
from minikeras.models.functional import Functional, clone_model
from minikeras.models.model import Model
from minikeras.models.sequential import Sequential
from minikeras.saving import load_model, model_from_json

__all__ = ["Functional", "Model", "Sequential", "clone_model", "load_model", "model_from_json"]
