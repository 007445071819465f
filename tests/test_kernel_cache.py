"""The kernel cache cannot be planted, cannot rot and cannot block (issue 28, item 1).

Each test points ``CIRCUITS_CACHE_DIR`` at a temporary folder and loads a one-function numba
module through :func:`circuits.eval.engine.load_module`, the loader of both the evaluation
engine's and the reverse sweep's kernels; one slow test plants a module at the engine's own path.
"""
import os
import stat
import subprocess
import sys
import warnings

import pytest

from circuits.eval import engine, kernel_cache

numba = pytest.importorskip("numba")

TEXT = "import numba\n\n\n@numba.njit(cache=True)\ndef twice(u):\n    return 2.0 * u\n"
PLANTED = "open({marker!r}, 'w').write('planted code ran')\n\n\ndef twice(u):\n    return 0.0\n"


def warm(module):
    assert module.twice(21.0) == 42.0


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """The cache folder of this test (not created yet), warnings counted afresh."""
    path = tmp_path / "cache"
    monkeypatch.setenv("CIRCUITS_CACHE_DIR", str(path))
    monkeypatch.setattr(kernel_cache, "_WARNED", set())
    return path


def load(prefix="circuits_test_"):
    """Load TEXT; return (module, the CacheWarnings raised)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        module = engine.load_module(prefix, TEXT, warm=warm)
    assert module.twice(1.5) == 3.0
    return module, [w for w in caught if issubclass(w.category, engine.CacheWarning)]


def module_path(folder, prefix="circuits_test_"):
    return folder / (kernel_cache._module_name(prefix, TEXT) + ".py")


def files(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_cache_dir_is_the_users_cache_folder_never_the_package(monkeypatch, tmp_path):
    monkeypatch.delenv("CIRCUITS_CACHE_DIR")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", "/xdg")
    assert engine.cache_dir() == "/xdg/gradient-circuits"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    assert engine.cache_dir() == str(tmp_path / ".cache" / "gradient-circuits")
    monkeypatch.setattr(sys, "platform", "darwin")
    assert engine.cache_dir() == str(tmp_path / "Library" / "Caches" / "gradient-circuits")
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "Local"))
    assert engine.cache_dir() == str(tmp_path / "Local" / "gradient-circuits")
    package = os.path.dirname(os.path.dirname(engine.__file__))
    assert not engine.cache_dir().startswith(package)


def test_fresh_cache_is_private_even_under_umask_000(folder):
    old = os.umask(0)
    try:
        _, caught = load()
    finally:
        os.umask(old)
    assert caught == []
    for path in (folder, folder / "__pycache__"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700
    assert stat.S_IMODE(module_path(folder).stat().st_mode) & 0o077 == 0
    assert module_path(folder).read_text() == TEXT
    names = files(folder)
    assert any(n.endswith(".nbi") for n in names) and any(n.endswith(".nbc") for n in names)
    assert all(n == module_path(folder).name or n.startswith("__pycache__") for n in names)
    assert not any(".tmp" in n for n in names)


def test_planted_module_never_runs(folder, tmp_path):
    marker = tmp_path / "marker"
    folder.mkdir(mode=0o700)
    module_path(folder).write_text(PLANTED.format(marker=str(marker)))
    _, caught = load()
    assert not marker.exists()
    assert module_path(folder).read_text() == TEXT  # rewritten
    assert caught == []


@pytest.mark.parametrize("damage", [b"", TEXT.encode()[:20], b"\x00\xff garbage (", TEXT.encode() + b"x = 1\n"])
def test_empty_truncated_garbage_or_longer_module_is_rewritten(folder, damage):
    load()
    module_path(folder).write_bytes(damage)
    _, caught = load()
    assert module_path(folder).read_text() == TEXT and caught == []


def test_damaged_numba_cache_is_made_afresh(folder):
    load()
    index = [p for p in (folder / "__pycache__").iterdir() if p.suffix in (".nbi", ".nbc")]
    assert index
    for p in index:
        p.write_bytes(b"garbage")
    _, caught = load()
    assert caught == []
    assert all(p.read_bytes() != b"garbage" for p in (folder / "__pycache__").iterdir())


@pytest.mark.parametrize("mode", [0o770, 0o707, 0o777, 0o720])
def test_group_or_world_writable_folder_is_refused(folder, mode):
    folder.mkdir()
    os.chmod(folder, mode)
    _, caught = load()
    assert len(caught) == 1
    assert str(folder) in str(caught[0].message) and "may write to it" in str(caught[0].message)
    assert files(folder) == []  # nothing written, nothing read
    _, again = load()
    assert again == []  # one warning per problem and process


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="chown needs root")
def test_folder_of_another_user_is_refused(folder):
    folder.mkdir(mode=0o700)
    os.chown(folder, 12345, -1)
    _, caught = load()
    assert len(caught) == 1 and "another user" in str(caught[0].message)
    assert files(folder) == []


def test_unusable_locations_fall_back_with_one_warning(monkeypatch, tmp_path):
    monkeypatch.setattr(kernel_cache, "_WARNED", set())
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    for where in (str(blocker / "cache"), "/proc/gradient-circuits", "/dev/null"):
        monkeypatch.setenv("CIRCUITS_CACHE_DIR", where)
        _, caught = load()
        assert len(caught) == 1 and where in str(caught[0].message), where
    monkeypatch.delenv("CIRCUITS_CACHE_DIR")
    monkeypatch.setenv("HOME", "/proc")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    _, caught = load()
    assert len(caught) == 1 and "/proc/.cache/gradient-circuits" in str(caught[0].message)


def test_failed_write_leaves_no_temporary_file(folder, monkeypatch):
    def disk_full(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(engine.os, "replace", disk_full)
    _, caught = load()
    assert len(caught) == 1 and "No space left" in str(caught[0].message)
    assert files(folder) == ["__pycache__"]


def test_numba_cache_dir_cannot_send_the_cache_elsewhere(folder, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    monkeypatch.setattr(numba.config, "CACHE_DIR", str(elsewhere))
    _, caught = load()
    assert caught == [] and not elsewhere.exists()
    assert numba.config.CACHE_DIR == str(elsewhere)
    assert any(n.endswith(".nbi") for n in files(folder))


@pytest.mark.slow
def test_planted_engine_kernel_never_runs(tmp_path):
    """End to end in a fresh process: a module planted at the engine kernel's own path."""
    folder, marker = tmp_path / "cache", tmp_path / "marker"
    folder.mkdir(mode=0o700)
    name = kernel_cache._module_name("circuits_engine_", engine._module_text())
    (folder / (name + ".py")).write_text(
        PLANTED.format(marker=str(marker)).replace("def twice", "def run_point(*a):\n    return False\n\n\ndef run"))
    code = ("import circuits; f = circuits.compile(circuits.parse('x * y + 1'));"
            "print(f(x=2.0, y=3.0)['f'], circuits.eval.engine.kernel() is not None)")
    env = dict(os.environ, CIRCUITS_CACHE_DIR=str(folder))
    out = subprocess.run([sys.executable, "-W", "error::RuntimeWarning", "-c", code], env=env,
                         capture_output=True, text=True, cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(engine.__file__)))))
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["7.0", "True"]
    assert not marker.exists()
    assert (folder / (name + ".py")).read_text() == engine._module_text()


def test_kernels_that_cannot_be_built_leave_the_interpreter(folder, monkeypatch):
    import circuits

    for name in ("_KERNEL", "_POINT_KERNEL", "_SWEEPS"):
        monkeypatch.setattr(engine, name, None)
    monkeypatch.setattr(engine, "_FAILED", False)

    def broken(module):
        raise TypeError("numba cannot compile this")

    monkeypatch.setattr(engine, "_warm", broken)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert engine.kernel() is None
        assert circuits.compile(circuits.parse("exp(x) + 1"))(x=0.0) == {"f": 2.0}
        assert engine.kernel() is None
    messages = [str(w.message) for w in caught if issubclass(w.category, engine.CacheWarning)]
    assert len(messages) == 2, messages  # the cache fell back, then the in-memory build failed
    assert "could not be compiled" in messages[1] and "interpreter runs instead" in messages[1]
