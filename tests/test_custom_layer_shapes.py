"""A user's layer without compute_output_shape: keras traces its call for the output shape."""
import keras
import tensorflow as tf

import minikeras as mk


def project(lib):
    class Project(lib.layers.Layer):
        def build(self, input_shape):
            self.w = self.add_weight(shape=(input_shape[-1], 2), initializer="ones")

        def call(self, inputs):
            return tf.matmul(inputs, self.w)
    return Project()


def test_output_shape_is_traced_from_call_as_keras():
    """So a Sequential (summary, the loss's shape check) knows it before any data arrives."""
    shapes = [tuple(lib.Sequential([lib.Input((4,)), project(lib)]).output_shape)
              for lib in (keras, mk)]
    assert shapes[1] == shapes[0] == (None, 2)
    # keras's own method raises NotImplementedError here; minikeras answers from call
    assert tuple(project(mk).compute_output_shape((None, 5))) == (None, 2)


def test_builtin_layers_keep_their_own_rule():
    assert mk.layers.Dropout(0.5).compute_output_shape((None, 3)) == (None, 3)
    assert tuple(mk.layers.Dense(7).compute_output_shape((None, 3))) == (None, 7)
