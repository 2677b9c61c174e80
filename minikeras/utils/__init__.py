"""Utilities: seeding and small helpers."""
from minikeras.utils.gradient_check import check_gradients
from minikeras.utils.random import set_random_seed

__all__ = ["check_gradients", "set_random_seed"]
