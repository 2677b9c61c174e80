"""`import minikeras` loads TensorFlow without keras, and keras still works when asked for."""
import subprocess
import sys
import textwrap


def run(source: str) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(source)], capture_output=True,
                          text=True, env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": ""}, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.split()


def test_importing_minikeras_first_skips_keras_and_keeps_tf_keras_working():
    out = run("""
        import sys
        import minikeras
        print("keras" in sys.modules, "sklearn" in sys.modules, sys.meta_path[0].__module__)
        import tensorflow as tf
        from tensorflow.keras import layers   # TensorFlow still knows where keras is
        import keras
        print(layers.Dense is keras.layers.Dense, tf.keras.layers.Dense is keras.layers.Dense)
    """)
    assert out[:2] == ["False", "False"], out  # neither keras nor its scikit-learn loaded
    assert out[2] != "minikeras._tensorflow"  # the import-time finder is gone
    assert out[3:] == ["True", "True"]


def test_keras_imported_first_is_left_alone():
    out = run("""
        import keras
        import minikeras
        import tensorflow as tf
        print(tf.keras.layers.Dense is keras.layers.Dense, minikeras.layers.Dense.__module__)
    """)
    assert out == ["True", "minikeras.layers.dense"]


def test_import_freezes_its_objects_and_restores_the_collector():
    """The collector is paused during the import, enabled again after it (unless the program
    had disabled it), and the import's long-lived objects are frozen."""
    out = run("""
        import gc
        import minikeras
        print(gc.isenabled(), gc.get_freeze_count() > 100_000)
        class Cycle:
            pass
        a, b = Cycle(), Cycle()
        a.other, b.other = b, a
        del a, b
        print(gc.collect() >= 2)   # garbage made after the import is collected as usual
    """)
    assert out == ["True", "True", "True"]
    out = run("""
        import gc
        gc.disable()
        import minikeras
        print(gc.isenabled())
    """)
    assert out == ["False"]
