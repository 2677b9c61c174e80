"""Export to a TensorFlow SavedModel for serving (TF Serving, TFLite, TF.js converters)."""
from __future__ import annotations

import os
from typing import Any

import tensorflow as tf


def export_saved_model(model: Any, filepath: str) -> None:
    """Writes a SavedModel whose ``serve`` function (also the ``serving_default`` signature)
    maps float32 inputs ``(batch, features...)`` to the model's outputs at inference.

    Example:
      >>> model.export("served")
      >>> tf.saved_model.load("served").serve(x)   # equals model.predict(x)
    """
    if not model.built:
        raise ValueError(f"Model '{model.name}' is not built yet; build it or fit it first.")
    spec = tf.TensorSpec((None,) + tuple(model.input_spec_shape[1:]), tf.float32, name="inputs")

    @tf.function(input_signature=[spec])
    def serve(inputs):
        return model(inputs, training=False)

    module = tf.Module()
    module.weights = list(model.weights)  # tracked so the SavedModel holds them
    module.serve = serve
    tf.saved_model.save(module, os.fspath(filepath), signatures={"serving_default": serve})
