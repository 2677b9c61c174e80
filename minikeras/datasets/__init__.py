"""keras's small datasets, loaded as `keras.datasets` loads them: ``mnist``,
``fashion_mnist``, ``cifar10``, ``imdb``, ``reuters``, ``boston_housing``.

Same signatures, defaults, URLs, file hashes, return types and dtypes as keras 3.15, and the
same cache (``$KERAS_HOME`` or ``~/.keras``, then ``datasets/``), so files keras downloaded
are reused and a machine without network access can be given them by hand: the error of a
failed download names the URL and the path to put the file at.

Loading a file never runs code from it: each file's hash is checked before it is opened
(keras's sha256/md5; fashion_mnist's files have none in keras and are read as raw bytes);
numeric ``.npz`` arrays load with ``allow_pickle=False``; imdb's and reuters's ragged arrays
and cifar10's pickled batches are read by an unpickler that can only rebuild numpy arrays.

Each module holds the expected hash it checks as ``FILE_HASH`` (and ``WORD_INDEX_HASH``),
the documented place to change it (a test's fake file, a mirror of another version).

Differences from keras, all in refusing more:

- ``reuters.load_data`` refuses a ``test_split`` outside ``[0, 1]`` (keras slices with it);
- ``imdb.load_data`` warns about the unknown keyword arguments it ignores (keras is silent);
- downloads, hash checks and cifar10's extraction follow `minikeras.utils.get_file`: a
  download with the wrong hash is removed, and an archive with links, devices or paths
  leaving the folder is refused as a whole.

Otherwise keras's quirks are kept for parity: ``maxlen`` drops sequences of ``maxlen`` or
more words rather than truncating them, and without ``num_words`` the largest word index
present becomes ``oov_char``.
"""
from minikeras.datasets import boston_housing, cifar10, fashion_mnist, imdb, mnist, reuters

__all__ = ["boston_housing", "cifar10", "fashion_mnist", "imdb", "mnist", "reuters"]
