"""keras.src.testing: `TestCase` with keras's assertion helpers, written for minikeras."""
from keras_adapter.testing import test_utils
from keras_adapter.testing.test_case import TestCase


def uses_gpu() -> bool:
    """The harness runs on CPU."""
    return False


uses_tpu = jax_uses_gpu = jax_uses_tpu = tensorflow_uses_gpu = tensorflow_uses_tpu = uses_gpu
torch_uses_gpu = uses_gpu

__all__ = ["TestCase", "test_utils", "uses_gpu", "uses_tpu", "tensorflow_uses_gpu"]
