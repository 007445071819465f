"""The on-disk cache of generated kernel modules: a private folder, verified files, numba's cache.

:func:`load_module` runs generated kernel source as a module cached in
:func:`cache_dir` (the user's cache folder, never inside the package), so
that numba's on-disk cache of its compiled functions is reused between
sessions; it says why a planted, damaged or shared cache is never used.  Any
problem falls back to compiling in memory with one :class:`CacheWarning`.
The evaluation engine (:mod:`circuits.eval.engine`), the reverse sweep and
the C backend keep their kernels here; :mod:`circuits.eval.engine`
re-exports the public names.

Examples
--------
>>> from circuits.eval.kernel_cache import load_module
>>> load_module("circuits_doc_", "def half(u):\\n    return u / 2\\n").half(3)
1.5
"""

from __future__ import annotations

import builtins
import contextlib
import hashlib
import os
import stat
import sys
import tempfile
import types
import warnings
from typing import Any, Optional

__all__ = ["cache_dir", "load_module", "CacheWarning", "CACHE_ENV", "cache_folder", "warn_once", "short_message"]

#: Environment variable naming the kernel cache folder (overrides the platform's user cache folder).
CACHE_ENV = "CIRCUITS_CACHE_DIR"


class CacheWarning(RuntimeWarning):
    """The kernel cache folder cannot be used: the kernels are compiled in memory instead.

    Raised as a warning, once per problem and process, never as an error:
    evaluation goes on with kernels compiled for this process only (or the
    interpreter).  The message says what is wrong and what to do.
    """


CacheWarning.__module__ = "circuits.eval.engine"


def cache_dir() -> str:
    """The folder where compiled kernels are cached (nothing is created here).

    ``$CIRCUITS_CACHE_DIR`` when set; otherwise the platform's user cache
    folder: ``$XDG_CACHE_HOME/gradient-circuits`` (or
    ``~/.cache/gradient-circuits``) on Linux and other Unixes,
    ``~/Library/Caches/gradient-circuits`` on macOS,
    ``%LOCALAPPDATA%\\gradient-circuits`` on Windows.  Never inside the
    installed package.  The folder is created on first use with mode 0700 and
    is used only while it belongs to this user and nobody else can write to it
    (see :func:`load_module`).

    Examples
    --------
    >>> import os
    >>> os.environ["CIRCUITS_CACHE_DIR"] = "/some/folder"
    >>> cache_dir()
    '/some/folder'
    >>> del os.environ["CIRCUITS_CACHE_DIR"]
    >>> os.path.basename(cache_dir())
    'gradient-circuits'
    """
    given = os.environ.get(CACHE_ENV)
    if given:
        return os.path.abspath(os.path.expanduser(given))
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.join(os.path.expanduser("~"), "AppData", "Local")
    elif sys.platform == "darwin":
        base = os.path.join(os.path.expanduser("~"), "Library", "Caches")
    else:
        base = os.environ.get("XDG_CACHE_HOME", "")
        if not os.path.isabs(base):  # the XDG spec: a relative path is invalid and ignored
            base = os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "gradient-circuits")


_WARNED: set = set()


def warn_once(key: str, text: str) -> None:
    """One :class:`CacheWarning` per problem (``key``) and process."""
    if key not in _WARNED:
        _WARNED.add(key)
        warnings.warn(text, CacheWarning, stacklevel=4)


def _private_folder(path: str) -> Optional[str]:
    """Create ``path`` (mode 0700) if missing; None if it is usable, else why it is not.

    Usable: a folder owned by this user that neither group nor others may
    write to.  A folder that fails is refused, never repaired: someone else
    may already have written to it.
    """
    try:
        os.makedirs(path, mode=0o700, exist_ok=True)
        st = os.stat(path)
    except (OSError, ValueError) as exc:
        return f"it cannot be created or read ({exc.__class__.__name__}: {exc})"
    if not stat.S_ISDIR(st.st_mode):
        return "it is not a folder"
    if hasattr(os, "getuid"):  # POSIX; on Windows the user's profile folders are private already
        if st.st_uid != os.getuid():
            return f"it is owned by another user (uid {st.st_uid})"
        if st.st_mode & 0o022:
            return (f"group or others may write to it (mode {stat.S_IMODE(st.st_mode):o}); "
                    f"run 'chmod 700 {path}' if it is yours, or remove it")
        if st.st_mode & 0o700 != 0o700:
            return f"this user may not read, write and enter it (mode {stat.S_IMODE(st.st_mode):o})"
    return None


def cache_folder() -> Optional[str]:
    """The checked cache folder (see :func:`cache_dir`), or None after one :class:`CacheWarning`."""
    path = cache_dir()
    why = _private_folder(path)
    if why is None:
        why = _private_folder(os.path.join(path, "__pycache__"))  # numba's index and machine code
    if why is not None:
        warn_once("folder:" + path, f"the kernel cache folder {path} is not used: {why}. The kernels are "
              f"compiled in memory for this process (slower start); set {CACHE_ENV} to a private "
              "folder to cache them on disk")
        return None
    return path


def _write_atomic(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` through a private temporary file renamed over it (removed on failure)."""
    fd, tmp = tempfile.mkstemp(prefix=os.path.basename(path) + ".", suffix=".tmp", dir=os.path.dirname(path))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _module_name(prefix: str, text: str) -> str:
    return prefix + hashlib.sha256(text.encode()).hexdigest()[:20]


def _exec_module(name: str, text: str, path: str):
    """A module of ``text`` (the verified text, never the file's) whose functions claim ``path``."""
    module = types.ModuleType(name)
    module.__file__ = path
    code = builtins.compile(text, path, "exec")
    sys.modules[name] = module  # numba's cache finds a kernel's module by name
    try:
        exec(code, module.__dict__)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def _numba_paths_inside(module, folder: str) -> bool:
    """Whether every cached numba function of ``module`` keeps its cache in ``folder``'s ``__pycache__``."""
    want = os.path.realpath(os.path.join(folder, "__pycache__"))
    for f in vars(module).values():
        cache = getattr(f, "_cache", None) if hasattr(f, "py_func") else None  # numba's dispatchers
        if cache is not None and type(cache).__name__ != "NullCache":
            where = getattr(cache, "_cache_path", None)  # numba's Cache; unknown → not trusted
            if where is None or os.path.realpath(where) != want:
                return False
    return True


def load_module(prefix: str, text: str, warm=None):
    """Run generated kernel source ``text`` as a module, cached in :func:`cache_dir`.

    The file is named ``prefix`` + a hash of ``text`` so that numba's on-disk
    cache (which finds a kernel by its module's file) is reused while the
    source is the same.  The rules, so that a cache can be neither planted nor
    go stale nor block evaluation:

    * the folder must be private (:func:`cache_dir`), else it is not used;
    * a cached file is used only if its bytes equal ``text``, else it is
      rewritten; the code run is always ``text`` itself, never what was read;
    * files are written to a private temporary file renamed into place, and
      the temporary file is removed if anything fails;
    * numba's cache files live in the folder's ``__pycache__``, nowhere else;
    * ``warm(module)`` compiles the kernels (or loads them from numba's
      cache) inside the same guard: a damaged numba cache is found here.

    Any failure falls back to compiling ``text`` in memory (numba's cache
    off) with one :class:`CacheWarning`.  Only a failure of that in-memory
    compilation itself is raised (the kernels' callers then use the
    interpreter, see :func:`kernel`).

    Examples
    --------
    >>> module = load_module("circuits_doc_", "def twice(u):\\n    return 2 * u\\n")
    >>> module.twice(21)
    42
    """
    name = _module_name(prefix, text)
    folder = cache_folder()
    if folder is not None:
        path = os.path.join(folder, name + ".py")
        for attempt in (1, 2):
            try:
                return _cached_module(name, text, path, folder, warm)
            except Exception as exc:  # noqa: BLE001 - any failure of the cache: compile in memory
                sys.modules.pop(name, None)
                if attempt == 1 and not isinstance(exc, OSError):
                    _forget(folder, name)  # a damaged numba cache of this module: made afresh, once
                    continue
                warn_once("module:" + name, f"the kernel cache {path} cannot be used ({exc.__class__.__name__}: "
                      f"{short_message(exc)}); the kernels are compiled in memory for this process")
                break
    module = _exec_module(name, text.replace("cache=True", "cache=False"), f"<{name}>")
    if warm is not None:
        warm(module)
    return module


def _cached_module(name: str, text: str, path: str, folder: str, warm):
    """:func:`load_module`'s cached path; raises whatever goes wrong."""
    data = text.encode("utf-8")
    try:
        with open(path, "rb") as fh:
            same = fh.read(len(data) + 1) == data
    except FileNotFoundError:
        same = False
    if not same:  # missing, truncated, damaged or planted: the file becomes text again
        _write_atomic(path, data)
    try:  # imported now, so that its settings can be read before the module's decorators run
        import numba
        config: Any = numba.config
    except ImportError:
        config = None
    saved = getattr(config, "CACHE_DIR", None)
    if saved:  # $NUMBA_CACHE_DIR would send numba's files elsewhere: the folder's __pycache__ for these
        config.CACHE_DIR = ""
    try:
        module = _exec_module(name, text, path)
    finally:
        if saved:
            config.CACHE_DIR = saved
    if not _numba_paths_inside(module, folder):
        raise OSError(f"numba would keep its cache outside {folder}")
    if warm is not None:
        warm(module)
    return module


def _forget(folder: str, name: str) -> None:
    """Remove the cached module ``name`` and numba's files for it (what can be removed)."""
    pycache = os.path.join(folder, "__pycache__")
    with contextlib.suppress(OSError):
        doomed = [os.path.join(pycache, f) for f in os.listdir(pycache) if f.startswith(name + ".")]
        for f in doomed + [os.path.join(folder, name + ".py")]:
            with contextlib.suppress(OSError):
                os.unlink(f)


def short_message(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return text if len(text) <= 200 else text[:197] + "..."
