"""Executes the tutorials (tutorials/NN_*.py, jupytext percent format) into notebooks.

Each tutorial runs once, in quick mode (``MINIKERAS_QUICK=1``), in a fresh kernel, as
tests/test_tutorials.py runs it; the executed notebook, with its figures inline, is kept in
``.cache/docs-tutorials/`` under a key made of the tutorial's text and every file of the
minikeras package (and of this file), so a rebuild re-runs only what changed. A cell that
raises fails the build, with the cell's error.

How they run: most of a tutorial's quick run used to be starting a Python, a kernel and
TensorFlow. One process (``--serve``) imports the libraries the tutorials use (TensorFlow,
matplotlib, scikit-learn; not minikeras, see PRELOAD) and the Jupyter machinery once, then,
for each tutorial, forks a process that forks its kernel (an ordinary ipykernel, in its own
working folder, that has executed nothing yet) and executes the notebook in it with nbclient.
Up to one tutorial per core runs at a time, the longest first. The mkdocs hook starts this
process when the build starts (``start``) and waits for a tutorial only when its page is read
(``Execution.wait``), after the API reference has been rendered meanwhile.

While editing the pages, ``MINIKERAS_DOCS_STALE_OK=1`` reuses a notebook executed for the
same tutorial text even if minikeras has changed since (``make docs`` never sets it).

    python docs/hooks/tutorials.py            # execute (or reuse) all, print the paths
"""
from __future__ import annotations

import atexit
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "docs-tutorials"
TIMEOUT = 600  # seconds per cell; quick mode takes seconds, but the 2 cores may be shared
# The libraries the tutorials import, imported once before the kernels are forked. Not
# minikeras itself: it decides at import whether it runs in a kernel (its progress bar), so
# each kernel imports it (a fraction of a second once TensorFlow is loaded).
PRELOAD = ["numpy", "tensorflow", "matplotlib", "matplotlib.pyplot", "sklearn.datasets",
           "sklearn.model_selection"]


# CPU seconds each tutorial's quick run took (the build logs "executed ... s of CPU"); only
# the order they run in comes from these, the longest first, so the last to start are short.
EXPECTED_SECONDS = {"01": 1, "02": 3, "03": 5, "04": 6, "05": 17, "06": 21, "07": 5, "08": 10}


def sources() -> list[Path]:
    """The tutorial scripts, in order."""
    return sorted((ROOT / "tutorials").glob("[0-9][0-9]_*.py"))


def longest_first(paths) -> list[Path]:
    """The tutorials in the order they are executed (and their pages read: each is ready about
    when its page is reached)."""
    return sorted(paths, key=lambda path: -EXPECTED_SECONDS.get(path.name[:2], 10))


def _package_digest() -> str:
    digest = hashlib.sha256(Path(__file__).read_bytes())  # this file decides how they run
    for path in sorted((ROOT / "minikeras").rglob("*.py")):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cached_path(source: Path, package_digest: str) -> Path:
    """Where the executed notebook of ``source`` is kept for this tutorial and package text."""
    return CACHE / f"{source.stem}-{_source_key(source)}-{package_digest[:12]}.ipynb"


def _source_key(source: Path) -> str:
    return hashlib.sha256(source.read_bytes()).hexdigest()[:12]


def _any_package(source: Path) -> Path | None:
    """An executed notebook of this tutorial text, whatever minikeras's text was then."""
    found = sorted(CACHE.glob(f"{source.stem}-{_source_key(source)}-*.ipynb"),
                   key=lambda path: path.stat().st_mtime)
    return found[-1] if found else None


def _error_path(target: Path) -> Path:
    return target.with_suffix(".error")


class Execution:
    """The tutorials' notebooks, some of them still being executed by a ``--serve`` process."""

    def __init__(self, plan: dict[Path, Path], todo: list[Path], log=print):
        self.plan = plan
        self.todo = todo
        self.log = log
        self.process: subprocess.Popen | None = None
        self._log_path = CACHE / "execution.log"
        if todo:
            CACHE.mkdir(parents=True, exist_ok=True)
            env = dict(os.environ, MINIKERAS_QUICK="1", PYTHONUNBUFFERED="1")
            env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
            jobs = json.dumps([[str(source), str(plan[source])] for source in todo])
            with open(self._log_path, "w") as output:
                # its own process group: stop() ends it and every process forked from it
                self.process = subprocess.Popen(
                    [sys.executable, __file__, "--serve", jobs], cwd=CACHE, env=env,
                    stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT,
                    start_new_session=True)
            atexit.register(self.stop)

    def wait(self, source: Path) -> Path:
        """The executed notebook of ``source``, once it is there; RuntimeError as soon as any
        tutorial has failed."""
        target = self.plan[source]
        while not target.exists():
            for failed in self.todo:
                error = _error_path(self.plan[failed])
                if error.exists():
                    self.stop()
                    raise RuntimeError(f"tutorial {failed.name} failed in quick mode:\n"
                                       f"{error.read_text()[-6000:]}")
            if self.process is None or self.process.poll() is not None:
                if target.exists():
                    break
                log = self._log_path.read_text() if self._log_path.exists() else ""
                raise RuntimeError(f"tutorial {source.name} was not executed:\n{log[-6000:]}")
            time.sleep(0.05)
        return target

    def wait_all(self) -> dict[Path, Path]:
        for source in self.plan:
            self.wait(source)
        if self.process is not None:
            self.process.wait()
            self.process = None
            for line in self._log_path.read_text().splitlines():
                if line.startswith("executed "):
                    self.log(line)
        return self.plan

    def stop(self) -> None:
        """Ends the ``--serve`` process (and with it its kernels) if it is still running."""
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()
        self.process = None


def start(log=print) -> Execution:
    """Starts executing every tutorial whose cached notebook is missing or stale."""
    digest = _package_digest()
    plan = {source: cached_path(source, digest) for source in sources()}
    stale_ok = os.environ.get("MINIKERAS_DOCS_STALE_OK") == "1"
    if stale_ok:
        for source, target in plan.items():
            if not target.exists() and _any_package(source):
                plan[source] = _any_package(source)
    if not stale_ok:
        current = set(plan.values())
        for stale in CACHE.glob("*.ipynb"):
            if stale not in current:
                stale.unlink()
    for leftover in [*CACHE.glob("*.partial*"), *CACHE.glob("*.error")]:  # of earlier runs
        leftover.unlink()
    todo = longest_first(source for source, target in plan.items() if not target.exists())
    if todo:
        log(f"executing {len(todo)} tutorial(s) in quick mode: "
            + ", ".join(source.stem for source in todo))
    return Execution(plan, todo, log=log)


def executed_notebooks(log=print) -> dict[Path, Path]:
    """``{tutorial source: executed notebook}`` for every tutorial, executing the ones whose
    cached notebook is missing or stale."""
    execution = start(log=log)
    try:
        return execution.wait_all()
    finally:
        execution.stop()


# ---- the --serve process ----------------------------------------------------------------

# TensorFlow's start-up lines on stderr (CUDA probing, CPU features), not the tutorial's output
_TF_NOISE = re.compile(r"^(WARNING: All log messages before absl|[IWE]\d{4} |To enable the "
                       r"following instructions|\s*$)")


def _serve(jobs: list[tuple[str, str]]) -> int:
    """Executes each ``(source, target)``, one per core at a time, each in a forked process."""
    hooks = str(Path(__file__).resolve().parent)
    sys.path[:] = [entry for entry in sys.path if entry != hooks]
    os.environ.pop("MINIKERAS_FIGURES", None)
    # what ipykernel sets when the variable is unset: the inline backend shows the figures
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    import importlib

    for module in PRELOAD + ["jupytext", "nbformat", "nbclient", "jupyter_client",
                             "ipykernel.kernelapp"]:
        importlib.import_module(module)
    started = time.perf_counter()
    queue = list(jobs)  # in the order given (longest_first)
    workers = max(1, min(len(queue), os.cpu_count() or 1))
    running: dict[int, tuple[str, str, float]] = {}
    failed = 0
    build = os.getppid()
    while queue or running:
        while queue and len(running) < workers:
            source, target = queue.pop(0)
            pid = os.fork()
            if pid == 0:
                os._exit(_run_one(source, target))
            running[pid] = (source, target, time.perf_counter())
        pid, status, usage = os.wait4(-1, os.WNOHANG)
        if pid == 0:
            if os.getppid() != build:  # the build was killed: so is everything forked here
                os.killpg(0, signal.SIGKILL)
            time.sleep(0.05)
            continue
        if pid not in running:
            continue
        source, target, began = running.pop(pid)
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            failed += 1
            error = _error_path(Path(target))
            if not error.exists():
                _write(error, f"the process executing it ended with status {code}")
        print(f"executed {Path(source).stem} in {time.perf_counter() - began:.1f} s "
              f"({usage.ru_utime + usage.ru_stime:.1f} s of CPU)"
              + ("" if code == 0 else ", failed"), flush=True)
    print(f"executed {len(jobs)} tutorial(s) in {time.perf_counter() - started:.1f} s "
          f"(imports included)", flush=True)
    return 1 if failed else 0


def _run_one(source: str, target: str) -> int:
    """In a process forked from ``_serve``: executes one notebook in a kernel forked from it."""
    try:
        with tempfile.TemporaryDirectory(prefix="docs-tutorial-") as work:
            os.environ["MINIKERAS_FIGURES"] = os.path.join(work, "figures")
            partial = Path(target).with_suffix(".partial")
            _execute_here(source, str(partial), work)
            os.replace(partial, target)
        return 0
    except BaseException:  # noqa: BLE001 - reported to the build, which fails
        _write(_error_path(Path(target)), traceback.format_exc())
        return 1


def _write(path: Path, text: str) -> None:
    partial = path.with_suffix(".partial-error")
    partial.write_text(text)
    os.replace(partial, path)


class _ForkedKernel:
    """What nbclient needs of a kernel manager, for a kernel this process forked."""

    has_kernel = True

    def __init__(self, pid: int, connection_file: str):
        self.pid = pid
        self.connection_file = connection_file
        self.exit_status: int | None = None

    def client(self):
        from jupyter_client.asynchronous import AsyncKernelClient

        client = AsyncKernelClient()
        client.load_connection_file(self.connection_file)
        return client

    def is_alive(self) -> bool:
        if self.exit_status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.exit_status = status
        return self.exit_status is None

    def interrupt_kernel(self) -> None:
        if self.is_alive():
            os.kill(self.pid, signal.SIGINT)

    def shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
        if self.is_alive():
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.exit_status = 0

    def cleanup_resources(self, restart: bool = False) -> None:
        pass


def _start_kernel(work: str) -> _ForkedKernel:
    """Forks an ipykernel (nothing executed in it yet) listening on unix sockets in ``work``."""
    from jupyter_client.connect import write_connection_file

    connection_file, _ = write_connection_file(
        os.path.join(work, "kernel.json"), transport="ipc", ip=os.path.join(work, "kernel"),
        key=os.urandom(16).hex().encode())
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the kernel, as `python -m ipykernel_launcher -f <file>` would start it
        try:
            os.chdir(work)
            _as_if_imported_in_the_kernel()
            import ipykernel_launcher
            from ipykernel import kernelapp

            sys.argv = [ipykernel_launcher.__file__, "-f", connection_file]
            kernelapp.launch_new_instance(argv=["-f", connection_file,
                                                f"--IPKernelApp.parent_handle={parent}"])
        except BaseException:  # noqa: BLE001 - nbclient then reports a dead kernel
            traceback.print_exc()
        finally:
            os._exit(0)
    return _ForkedKernel(pid, connection_file)


def _as_if_imported_in_the_kernel() -> None:
    """Undoes what a preloaded library decided at import from not being in a kernel.

    TensorFlow's logger picks its stream and level at import: in a kernel (``sys.ps1`` set),
    INFO to the kernel's stdout; elsewhere, WARNING to the stderr of that moment. Removing it
    makes TensorFlow set it up again on its first message, in the kernel.
    """
    import logging

    from tensorflow.python.platform import tf_logging

    if tf_logging._logger is not None:
        logger = logging.getLogger("tensorflow")
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
        logger.setLevel(logging.NOTSET)
        tf_logging._logger = None


def _execute_here(source: str, target: str, work: str) -> None:
    """Renders ``source`` with jupytext, executes it with nbclient, writes ``target``."""
    import jupytext
    import nbformat
    from nbclient import NotebookClient

    notebook = jupytext.read(source)
    kernel = _start_kernel(work)
    client = NotebookClient(notebook, km=kernel, timeout=TIMEOUT, kernel_name="python3",
                            resources={"metadata": {"path": work}})
    try:
        client.execute()
    finally:
        if client.kc is not None:
            client.kc.stop_channels()
        kernel.shutdown_kernel(now=True)
    for cell in notebook.cells:
        outputs = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                kept = [line for line in output["text"].splitlines(keepends=True)
                        if not _TF_NOISE.match(line)]
                if not "".join(kept).strip():
                    continue
                output["text"] = "".join(kept)
            outputs.append(output)
        if "outputs" in cell:
            cell["outputs"] = outputs
    nbformat.write(notebook, target)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        sys.exit(_serve(json.loads(sys.argv[2])))
    else:
        for source, notebook in executed_notebooks().items():
            print(source.name, "->", notebook)
