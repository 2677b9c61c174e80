"""Utilities: seeding and small helpers."""
from minikeras.utils.random import set_random_seed

__all__ = ["set_random_seed"]
