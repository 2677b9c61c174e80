"""keras.src.backend.common.keras_tensor: `KerasTensor` is minikeras's `SymbolicTensor`."""
from keras_adapter.backend import KerasTensor

__all__ = ["KerasTensor"]
