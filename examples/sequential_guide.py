"""keras's "The Sequential model" guide: adding and popping layers, a model built later,
summary along the way, feature extraction from a Sequential's layers, freezing for transfer."""
import keras
import numpy as np
from keras import layers

model = keras.Sequential([
    layers.Dense(2, activation="relu", name="layer1"),
    layers.Dense(3, activation="relu", name="layer2"),
    layers.Dense(4, name="layer3"),
])
x = keras.ops.ones((3, 3))
y = model(x)
print(model.layers)

model = keras.Sequential()
model.add(layers.Dense(2, activation="relu"))
model.add(layers.Dense(3, activation="relu"))
model.add(layers.Dense(4))
model.pop()
print(len(model.layers))

layer = layers.Dense(3)
print(layer.weights)  # empty: not built yet
y = layer(keras.ops.ones((1, 4)))
print(len(layer.weights))

model = keras.Sequential()
model.add(keras.Input(shape=(16,)))
model.add(layers.Dense(8))
model.summary()
print(len(model.weights))

initial_model = keras.Sequential([
    keras.Input(shape=(250, 250, 3)),
    layers.Conv2D(8, 5, strides=2, activation="relu"),
    layers.Conv2D(8, 3, activation="relu", name="my_intermediate_layer"),
    layers.Conv2D(8, 3, activation="relu"),
])
feature_extractor = keras.Model(inputs=initial_model.inputs,
                                outputs=[layer.output for layer in initial_model.layers])
features = feature_extractor(np.ones((1, 250, 250, 3), "float32"))
print([tuple(f.shape) for f in features])
one_layer = keras.Model(inputs=initial_model.inputs,
                        outputs=initial_model.get_layer(name="my_intermediate_layer").output)
print(tuple(one_layer(np.ones((1, 250, 250, 3), "float32")).shape))

model = keras.Sequential([keras.Input(shape=(784,)), layers.Dense(32, activation="relu"),
                          layers.Dense(32, activation="relu"), layers.Dense(10)])
for layer in model.layers[:-1]:
    layer.trainable = False
model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
rng = np.random.default_rng(16)
history = model.fit(rng.random((64, 784)), rng.integers(0, 10, 64), epochs=1, verbose=0)
print(len(model.trainable_weights))
