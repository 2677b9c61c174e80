"""keras's "Imbalanced classification: credit card fraud detection" example: class weights,
a list of confusion metrics, Adam, and evaluate(return_dict=True).

Random features with a rare positive class stand in for the Kaggle dataset.
"""
import keras
import numpy as np

rng = np.random.default_rng(4)
features = rng.normal(size=(2000, 30)).astype("float32")
targets = (features[:, 0] + 0.5 * features[:, 1] > 2.2).astype("float32")[:, None]
num_val_samples = int(len(features) * 0.2)
train_features, val_features = features[:-num_val_samples], features[-num_val_samples:]
train_targets, val_targets = targets[:-num_val_samples], targets[-num_val_samples:]
counts = np.bincount(train_targets[:, 0].astype(int))
print(f"Number of positive samples in training data: {counts[1]} "
      f"({100 * float(counts[1]) / len(train_targets):.2f}% of total)")
weight_for_0, weight_for_1 = 1.0 / counts[0], 1.0 / counts[1]

mean, std = np.mean(train_features, axis=0), np.std(train_features, axis=0)
train_features = (train_features - mean) / std
val_features = (val_features - mean) / std

model = keras.Sequential([
    keras.Input(shape=train_features.shape[1:]),
    keras.layers.Dense(64, activation="relu"),
    keras.layers.Dense(64, activation="relu"),
    keras.layers.Dropout(0.3),
    keras.layers.Dense(1, activation="sigmoid"),
])
model.summary()
metrics = [
    keras.metrics.FalseNegatives(name="fn"),
    keras.metrics.FalsePositives(name="fp"),
    keras.metrics.TrueNegatives(name="tn"),
    keras.metrics.TruePositives(name="tp"),
    keras.metrics.Precision(name="precision"),
    keras.metrics.Recall(name="recall"),
    keras.metrics.AUC(name="auc"),
]
model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy",
              metrics=metrics)
class_weight = {0: weight_for_0, 1: weight_for_1}
model.fit(train_features, train_targets, batch_size=256, epochs=3, verbose=2,
          validation_data=(val_features, val_targets), class_weight=class_weight)
results = model.evaluate(val_features, val_targets, return_dict=True, verbose=0)
print({name: round(float(value), 4) for name, value in results.items()})
