"""The records TensorBoard reads, written with TensorFlow alone (no tensorboard package).

Each function writes what the tensorboard plugin's own summary op writes (`tf.summary.scalar`,
`histogram`, `image`; the projector's config file), so TensorBoard shows them as it shows
keras's: scalars as float32 tensors, histograms as (left, right, count) rows, images as
``[width, height, png...]`` strings, each marked with its plugin's name.
"""
from __future__ import annotations

import json

import numpy as np
import tensorflow as tf

HISTOGRAM_BUCKETS = 30  # TensorBoard's default bucket count
IMAGE_MAX_OUTPUTS = 3  # tf.summary.image's default


def _plugin_metadata(plugin: str) -> tf.compat.v1.SummaryMetadata:
    """Marks a summary for one of TensorBoard's dashboards (``scalars``, ``histograms``,
    ``images``); the content, the plugin's version-0 proto, is empty."""
    metadata = tf.compat.v1.SummaryMetadata()
    metadata.plugin_data.plugin_name = plugin
    return metadata


def write_scalar(name: str, value: float, step: int) -> None:
    """The record `tf.summary.scalar` writes (a float32 tensor)."""
    tf.summary.write(tag=name, tensor=tf.constant(float(value), tf.float32), step=step,
                     metadata=_plugin_metadata("scalars"))


def write_histogram(name: str, values, step: int) -> None:
    """The record `tf.summary.histogram` writes: rows of (left edge, right edge, count).
    Non-finite values (a diverged weight) are left out rather than failing the fit."""
    values = np.asarray(values, np.float64).ravel()
    values = values[np.isfinite(values)]
    try:
        counts, edges = np.histogram(values, bins=HISTOGRAM_BUCKETS)
    except ValueError:  # a range too narrow to split (numpy refuses edges closer than an ulp)
        edges = np.linspace(values.min(), values.max(), HISTOGRAM_BUCKETS + 1)
        counts, _ = np.histogram(values, bins=edges)  # equal edges are allowed: no value lost
    table = np.stack([edges[:-1], edges[1:], counts.astype(np.float64)], axis=1)
    tf.summary.write(tag=name, tensor=tf.constant(table, tf.float64), step=step,
                     metadata=_plugin_metadata("histograms"))


def write_image(name: str, images: np.ndarray, step: int) -> None:
    """The record `tf.summary.image` writes for ``images`` of shape (k, height, width, c):
    width and height as strings, then up to three PNGs (floats saturated into [0, 1])."""
    images = tf.image.convert_image_dtype(tf.constant(images, tf.float32), tf.uint8,
                                          saturate=True)
    encoded = [tf.image.encode_png(image) for image in images[:IMAGE_MAX_OUTPUTS]]
    dims = [tf.as_string(tf.shape(images)[2]), tf.as_string(tf.shape(images)[1])]
    tf.summary.write(tag=name, tensor=tf.stack(dims + encoded), step=step,
                     metadata=_plugin_metadata("images"))


def weight_as_image(weight: np.ndarray, channels_last: bool = True) -> np.ndarray | None:
    """A weight as keras shows it as images, or None when keras shows none: a bias as one
    1-row image, a kernel as one image (wider than tall), each 2-D filter slice of a
    convolution kernel (squeezed to rank 3) as its own image."""
    w = np.squeeze(np.asarray(weight))
    if w.ndim == 1:
        w = w.reshape(1, w.shape[0], 1, 1)
    elif w.ndim == 2:
        w = w.T if w.shape[0] > w.shape[1] else w
        w = w.reshape(1, w.shape[0], w.shape[1], 1)
    elif w.ndim == 3:
        w = np.transpose(w, (2, 0, 1)) if channels_last else w
        w = w.reshape(w.shape[0], w.shape[1], w.shape[2], 1)
    return w if w.ndim == 4 and w.shape[-1] in (1, 3, 4) else None


def projector_config(embeddings: list[tuple[str, str | None]]) -> str:
    """The projector's ``projector_config.pbtxt`` (protobuf text format) for
    ``(tensor_name, metadata_path or None)`` pairs, as keras writes it."""
    lines = []
    for tensor_name, metadata_path in embeddings:
        lines += ["embeddings {", f"  tensor_name: {json.dumps(tensor_name)}"]
        if metadata_path is not None:
            lines.append(f"  metadata_path: {json.dumps(metadata_path)}")
        lines.append("}")
    return "".join(line + "\n" for line in lines)
