"""TensorBoard's images, projector config, profiling and in-model summaries, as keras writes
them (keras's TensorBoard needs the tensorboard package to run; its array and text logic is
called directly where it can be)."""
import glob
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

import minikeras as mk
from minikeras.callbacks.tensorboard_records import (
    projector_config,
    weight_as_image,
    write_histogram,
)

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


def read_events(directory):
    """{tag: plugin name} of every summary in the event files under ``directory``."""
    out = {}
    for path in glob.glob(os.path.join(directory, "**", "events.out.tfevents.*"), recursive=True):
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                out[value.tag] = value.metadata.plugin_data.plugin_name
    return out


class _Capture:
    def __init__(self):
        self.images = []

    def image(self, name, data, step=None):
        self.images.append(np.asarray(data))


@pytest.mark.parametrize("shape", [(5,), (3, 7), (7, 3), (1, 4), (10, 10, 1, 3), (3, 3, 2, 4),
                                   (2, 3, 4, 5, 6)])
def test_weight_images_as_keras(shape):
    weight = np.random.default_rng(0).normal(size=shape).astype(np.float32)
    board = keras.callbacks.TensorBoard()
    board._summary_module = capture = _Capture()
    board._log_weight_as_image(weight, "w/image", 0)
    expected = capture.images[0] if capture.images else None
    received = weight_as_image(weight)
    if expected is None:
        assert received is None
    else:
        np.testing.assert_array_equal(received, expected)


def test_images_written_with_the_histograms(tmp_path):
    model = mk.Sequential([mk.Input((6, 6, 1)), mk.layers.Conv2D(3, 6),
                           mk.layers.GlobalAveragePooling2D(), mk.layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(np.ones((4, 6, 6, 1)), np.ones((4, 1)), epochs=1, verbose=0, callbacks=[
        mk.callbacks.TensorBoard(tmp_path, histogram_freq=1, write_images=True)])
    tags = read_events(tmp_path / "train")
    images = sorted(t for t, plugin in tags.items() if plugin == "images")
    # every weight but Dense's (1,) bias, which squeezes to a scalar (no image, as keras)
    conv, dense = model.layers[0].name, model.layers[2].name
    assert images == sorted([f"{conv}/bias/image", f"{conv}/kernel/image",
                             f"{dense}/kernel/image"])
    for path in glob.glob(str(tmp_path / "train" / "events.out.tfevents.*")):
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                if value.tag == f"{conv}/kernel/image":
                    record = tf.make_ndarray(value.tensor)
                    assert record[:2].tolist() == [b"6", b"6"] and len(record) == 2 + 3
                    assert tf.image.decode_png(record[2]).shape == (6, 6, 1)


def test_projector_config_as_keras(tmp_path):
    model = mk.Sequential([mk.Input((10,)), mk.layers.Embedding(10, 4, name="test_embedding"),
                           mk.layers.Flatten(), mk.layers.Dense(1)])
    model.compile("adam", "mse")
    model.fit(np.ones((4, 10)), np.ones((4, 1)), epochs=2, verbose=0, callbacks=[
        mk.callbacks.TensorBoard(tmp_path, embeddings_freq=1,
                                 embeddings_metadata={"test_embedding": "metadata.tsv"})])
    # keras's own test expects exactly these lines
    assert (tmp_path / "projector_config.pbtxt").read_text().splitlines(keepends=True) == [
        "embeddings {\n",
        '  tensor_name: "layer_with_weights-0/embeddings/.ATTRIBUTES/VARIABLE_VALUE"\n',
        '  metadata_path: "metadata.tsv"\n', "}\n"]
    assert sorted(os.listdir(tmp_path / "train"))[-2:] == [
        "keras_embedding.ckpt-0.weights.h5", "keras_embedding.ckpt-1.weights.h5"]
    board = mk.callbacks.TensorBoard(tmp_path, embeddings_freq=1,
                                     embeddings_metadata={"nope": "m.tsv"})
    with pytest.raises(ValueError, match="Unrecognized `Embedding` layer names"):
        board.set_model(model)
    assert projector_config([("a", None)]) == 'embeddings {\n  tensor_name: "a"\n}\n'


def test_profile_batch_writes_a_trace_and_a_profile(tmp_path):
    model = mk.Sequential([mk.Input((3,)), mk.layers.Dense(1)])
    model.compile("sgd", "mse")
    board = mk.callbacks.TensorBoard(tmp_path, profile_batch=2)
    assert board.needs_batch_hooks
    model.fit(np.ones((8, 3)), np.ones((8, 1)), batch_size=2, epochs=2, verbose=0,
              callbacks=[board])
    assert not board.needs_batch_hooks  # profiling done: the fit loop is free again
    tensors = {t for t, plugin in read_events(tmp_path / "train").items()
               if plugin not in ("scalars", "histograms", "images")}
    assert tensors == {"batch_2"}
    assert len(glob.glob(str(tmp_path / "train" / "plugins" / "profile" / "*" /
                             "*.xplane.pb"))) == 1


class _Summarizing(mk.layers.Layer):
    def call(self, x):
        tf.summary.write("custom_summary", tf.reduce_sum(x))
        return x


def test_summaries_inside_the_model_go_to_the_writers(tmp_path):
    model = mk.Sequential([mk.Input((5,)), _Summarizing()])
    model.compile("sgd", "mse")
    x = np.ones((4, 5))
    model.fit(x, x, batch_size=2, validation_data=(x, x), verbose=0,
              callbacks=[mk.callbacks.TensorBoard(tmp_path, update_freq=1)])
    assert "custom_summary" in read_events(tmp_path / "train")
    assert "custom_summary" in read_events(tmp_path / "validation")
    assert tf.summary.should_record_summaries() is False or \
        not tf.summary.should_record_summaries()  # nothing left pushed after the fit


@pytest.mark.parametrize("bad", [-1, (3, 1), "a", (1, 2, 3)])
def test_profile_batch_refused_as_keras(bad):
    with pytest.raises(ValueError) as theirs:
        keras.callbacks.TensorBoard(profile_batch=bad)
    with pytest.raises(ValueError) as ours:
        mk.callbacks.TensorBoard(profile_batch=bad)
    if bad != "a":  # keras lets int("a")'s message through; minikeras says what it expects
        assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("values", [[1.0, 1.0 + 2e-16, 1.0], [0.0, 1e-320], [0.25] * 4,
                                    [-3.0, 0.5, 7.0, np.inf]])
def test_histograms_of_any_finite_range_keep_every_value(tmp_path, values):
    """numpy refuses 30 bins over a range narrower than its float resolution (a weight whose
    entries differ by an ulp); the histogram is still written, with every finite value."""
    with tf.summary.create_file_writer(str(tmp_path)).as_default():
        write_histogram("w/histogram", np.array(values), step=0)
    (path,) = glob.glob(os.path.join(tmp_path, "events.out.tfevents.*"))
    tables = [tf.make_ndarray(value.tensor) for event in tf.compat.v1.train.summary_iterator(path)
              for value in event.summary.value]
    assert len(tables) == 1 and tables[0].shape == (30, 3)
    assert tables[0][:, 2].sum() == np.isfinite(values).sum()
