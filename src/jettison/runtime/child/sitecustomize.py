# ruff: noqa  -- runs on the target Python (3.8+), outside jettison: no annotations, 3.8 syntax.
# Import recorder, loaded by `site` at interpreter start because its directory is on PYTHONPATH.
# A finder at the head of sys.meta_path sees every import that is not already in sys.modules, whether it
# comes from an import statement, importlib.import_module or __import__; it records the module and the
# module whose code asked for it, then declines, so the normal finders do the import. At exit the final
# sys.modules (with each module's file) is written to $JETTISON_TRACE_DIR/<pid>.json.
import atexit
import json
import os
import sys

_OUT = os.environ.get("JETTISON_TRACE_DIR")
_HERE = os.path.dirname(os.path.abspath(__file__))
_IMPORTERS = {}


def _importer():
    frame = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not (
            filename.startswith("<frozen")
            or filename.startswith(_HERE)
            or filename.endswith(os.sep + "importlib" + os.sep + "__init__.py")
        ):
            return frame.f_globals.get("__name__") or "?"
        frame = frame.f_back
    return "?"


class _Recorder:
    @staticmethod
    def find_spec(fullname, path=None, target=None):
        if fullname not in _IMPORTERS:
            try:
                _IMPORTERS[fullname] = _importer()
            except Exception:
                _IMPORTERS[fullname] = "?"
        return None

    @staticmethod
    def invalidate_caches():
        pass


def _dump():
    modules = {}
    for name, module in list(sys.modules.items()):
        filename = getattr(module, "__file__", None)
        modules[name] = filename if isinstance(filename, str) else None
    record = {
        "pid": os.getpid(),
        "argv": sys.argv,
        "step": os.environ.get("JETTISON_TRACE_STEP", ""),
        "modules": modules,
        "importers": _IMPORTERS,
    }
    try:
        with open(os.path.join(_OUT, "%d.json" % os.getpid()), "w") as handle:
            json.dump(record, handle)
    except Exception:
        pass


if _OUT:
    sys.meta_path.insert(0, _Recorder)
    atexit.register(_dump)

# The project's own sitecustomize, if any, still runs: ours only shadowed it on sys.path.
_own_path = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
try:
    import importlib.machinery
    import importlib.util

    _spec = importlib.machinery.PathFinder.find_spec("sitecustomize", _own_path)
    if _spec is not None and _spec.origin and not _spec.origin.startswith(_HERE):
        _module = importlib.util.module_from_spec(_spec)
        _spec.loader.exec_module(_module)
except Exception:
    pass
