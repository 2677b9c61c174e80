"""mkdocs hooks for minikeras's site (mkdocs.yml lists this file under ``hooks:``).

- before the build: every public name (see public_api.py) must have a docstring;
- a public module that no page of docs/reference/ renders gets a generated page;
- the tutorials are executed once in quick mode (tutorials.py) and added as notebooks
  ``tutorials/NN_name.ipynb``, which mkdocs-jupyter renders with their figures; they run in
  the background from the start of the build, and a tutorial's page waits for its notebook;
- after the build: every public module, class and function, and every documented public
  method, must have its entry (an HTML anchor with its dotted name) in the API reference.

Each failure is logged as a warning, which ``mkdocs build --strict`` turns into a failed build.
"""
from __future__ import annotations

import logging
import re
import shutil
import sys
import time
import types
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, InclusionLevel

sys.path.insert(0, str(Path(__file__).resolve().parent))
import public_api  # noqa: E402

import tutorials  # noqa: E402

log = logging.getLogger("mkdocs.hooks.minikeras")


_EXECUTION: tutorials.Execution | None = None
_STAGED: dict[str, Path] = {}  # page src_uri -> its tutorial's source


def on_config(config):
    global _EXECUTION
    # First, before this process imports TensorFlow: the tutorials run while the site builds.
    if _EXECUTION is not None:
        _EXECUTION.stop()
    _EXECUTION = tutorials.start(log=log.info)
    # The API reference imports every minikeras module (mkdocs.yml: force_inspection); running
    # `python -m minikeras` would train the demo, so its module is a placeholder here.
    sys.modules.setdefault("minikeras.__main__", types.ModuleType("minikeras.__main__"))
    # Functions made by a factory (minikeras.ops's elementwise ops) carry the factory's
    # qualified name (``_binary.<locals>.apply``), which the reference cannot resolve: in this
    # process, each takes the name it is published under in its defining module (as does a
    # functools.wraps wrapper of one, such as minikeras.ops's symbolic-tensor dispatch).
    for _name, value in public_api.public_objects():
        if isinstance(value, types.FunctionType) and "<locals>" in value.__qualname__:
            defining = sys.modules.get(value.__module__)
            inner = getattr(value, "__wrapped__", value)
            published = [key for key, item in vars(defining).items()
                         if item is value or item is inner]
            if published:
                value.__qualname__ = published[0]
                if isinstance(inner, types.FunctionType) and "<locals>" in inner.__qualname__:
                    inner.__qualname__ = published[0]
    # minikeras's docstrings say "Example:" (one example, as the style guide asks); griffe's
    # Google parser knows only "Examples:" as the section whose >>> lines render as code.
    try:
        from griffe._internal.docstrings import google
        google._section_kind.setdefault("example", google.DocstringSectionKind.examples)
    except (ImportError, AttributeError) as error:
        log.warning("cannot render 'Example:' sections as code with this griffe: %s", error)


def on_pre_build(config):
    for name in public_api.missing_docstrings():
        log.warning("public name without a docstring: %s", name)


@event_priority(100)  # before mkdocs-jupyter turns notebooks into pages
def on_files(files, config):
    _add_module_pages(files, config)
    # Staged under their page names as ordinary files (mkdocs-jupyter reads a notebook from
    # its File's src_dir, which a File.generated one does not have); each is copied there when
    # its page is about to be read (on_pre_page). The pages are read in the order of `files`
    # (the nav decides the site's order): these after all the others, in the order the
    # tutorials are executed, so that each is converted while the next ones still run.
    stage = tutorials.CACHE / "pages"
    shutil.rmtree(stage, ignore_errors=True)
    (stage / "tutorials").mkdir(parents=True)
    _STAGED.clear()
    for source in tutorials.longest_first(_EXECUTION.plan):
        file = File(f"tutorials/{source.stem}.ipynb", src_dir=str(stage),
                    dest_dir=config.site_dir, use_directory_urls=config.use_directory_urls)
        files.append(file)
        _STAGED[file.src_uri] = source
    return files


@event_priority(100)  # before mkdocs-jupyter reads the notebook
def on_pre_page(page, config, files):
    source = _STAGED.get(page.file.src_uri)
    if source is not None:
        start = time.perf_counter()
        try:
            notebook = _EXECUTION.wait(source)
        except RuntimeError as error:
            raise PluginError(str(error)) from None
        shutil.copyfile(notebook, tutorials.CACHE / "pages" / page.file.src_uri)
        waited = time.perf_counter() - start
        if waited > 0.1:
            log.info("waited %.1f s for tutorial %s", waited, source.stem)
    return page


def on_build_error(error):
    if _EXECUTION is not None:
        _EXECUTION.stop()


def on_page_content(html, page, config, files):
    # Docstrings introduce their indented maths with reStructuredText's "::"; Markdown already
    # shows the block as code, so the paragraph before it ends with one colon.
    if page.file.src_uri.startswith("reference/"):
        html = html.replace("::</p>", ":</p>")
    return html


_GENERATED: list[File] = []


def _add_module_pages(files, config) -> None:
    """A page ``reference/<module>.md`` (``::: minikeras.<module>``) for each public module
    that no page of docs/reference/ renders, listed after the others under "API reference"
    (on_nav): a module added to minikeras is in the reference without touching the docs."""
    covered = set()
    for file in files:
        if file.src_uri.startswith("reference/") and file.src_uri.endswith(".md"):
            covered.update(re.findall(r"^:::\s*([\w.]+)", file.content_string, re.M))
    _GENERATED.clear()
    for name, module in public_api.public_modules().items():
        if name == public_api.ROOT or name in covered or module.__name__ in covered:
            continue
        page = name.removeprefix(public_api.ROOT + ".").replace(".", "_")
        generated = File.generated(config, f"reference/{page}.md", content=f"::: {name}\n",
                                   inclusion=InclusionLevel.NOT_IN_NAV)
        files.append(generated)
        _GENERATED.append(generated)


def on_nav(nav, config, files):
    if not _GENERATED:
        return nav
    section = next((item for item in nav.items if getattr(item, "title", None) == "API reference"),
                   None)
    if section is None:
        log.warning("no 'API reference' section in mkdocs.yml's nav for the generated pages")
        return nav
    last = section.children[-1]
    for file in _GENERATED:
        page = file.page
        page.title = file.src_uri.removeprefix("reference/").removesuffix(".md").replace("_", ".")
        page.parent = section
        section.children.append(page)
        nav.pages.insert(nav.pages.index(last) + 1, page)
        last = page
    for previous, following in zip(nav.pages, nav.pages[1:]):
        previous.next_page, following.previous_page = following, previous
    return nav


def _documented_ids(site: Path) -> set[str]:
    ids: set[str] = set()
    for page in (site / "reference").rglob("*.html"):
        ids.update(re.findall(r'id="(minikeras(?:\.\w+)*)"', page.read_text(encoding="utf-8")))
    return ids


def _canonical(value: object) -> str | None:
    if isinstance(value, types.ModuleType):
        return value.__name__
    module, qualname = getattr(value, "__module__", None), getattr(value, "__qualname__", None)
    return f"{module}.{qualname}" if module and qualname else None


def on_post_build(config):
    """Every public name has an entry in the API reference, under one of the public names of
    its object (``minikeras.Model`` is documented as ``minikeras.models.Model``) or its
    defining module's name. Class members are checked when they have their own docstring
    (overrides that inherit one are documented on the base class)."""
    _EXECUTION.wait_all()  # all done by now: logs how long each tutorial took
    ids = _documented_ids(Path(config.site_dir))
    objects = list(public_api.public_objects())
    modules = public_api.public_modules()
    keys: dict[str, str] = {}  # dotted public name -> the defining object's name
    for name, value in objects:
        owner, _, member = name.rpartition(".")
        if not owner or owner in modules:
            keys[name] = _canonical(value) or name
        else:  # a class member: its class's defining name and the member's
            keys[name] = f"{keys.get(owner, owner)}.{member}"
    listings: dict[str, set[str]] = {}
    for name, key in keys.items():
        listings.setdefault(key, {key}).add(name)
    pageless = {name for name in modules if name != public_api.ROOT and name in keys
                and not listings[keys[name]] & ids}
    for module in sorted(pageless):
        page = module.removeprefix(public_api.ROOT + ".").replace(".", "_")
        log.warning("public module %s has no page in the API reference: add "
                    "docs/reference/%s.md containing '::: %s' and list it under "
                    "'API reference' in mkdocs.yml's nav", module, page, module)
    for name in keys:
        owner, _, member = name.rpartition(".")
        if any(name.startswith(module + ".") for module in pageless) or name in pageless:
            continue
        if owner and owner not in modules:
            attribute = vars(public_api._resolve(owner)).get(member)
            if not (getattr(attribute, "__doc__", None) or "").strip():
                continue
        if not listings[keys[name]] & ids:
            log.warning("public name missing from the API reference: %s", name)
