"""The training engine: data checks, compiled steps, and the fit/evaluate/predict loop."""
