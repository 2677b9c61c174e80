"""Models: `Sequential`."""
from minikeras.models.sequential import Sequential

__all__ = ["Sequential"]
