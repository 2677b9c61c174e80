"""keras.src.backend.common: the pieces keras's model tests import from it."""
