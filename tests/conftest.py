"""Test set-up: quiet TensorFlow logs; keras (the reference) uses the TensorFlow backend."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
