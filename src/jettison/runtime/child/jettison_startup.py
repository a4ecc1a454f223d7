# ruff: noqa  -- runs on the target Python (3.8+), outside jettison: no annotations, 3.8 syntax.
# Loads an application the way its server would, then exits; run by jettison's tracer on the target
# Python inside a throwaway environment: `python jettison_startup.py KIND ARGUMENT [OPTIONS]`.
#   wsgi MODULE:VAR [CONFIG]  gunicorn's own loader (config file, app string, factory call, worker class)
#   asgi MODULE:VAR [factory] uvicorn.Config(...).load(): app, loop, http and websocket implementations
#   django SETTINGS           django.setup(), check --deploy, every database backend, URLconf, dotted paths
#   celery APP                the Celery app, its task modules and its broker transport
#   module NAME               import NAME
# Exit status 3 means the app itself failed to load: the last stderr line says why.
import importlib
import os
import sys
import traceback


def _import_app_string(text):
    module_name, _, attribute = text.partition(":")
    module = importlib.import_module(module_name)
    attribute = attribute or "application"
    call = None
    if "(" in attribute:
        attribute, call = attribute.split("(", 1)
    target = module
    for part in attribute.split("."):
        target = getattr(target, part)
    if call is not None:
        target = eval("target(" + call, {"target": target})
    return target


def load_wsgi(app, config=None):
    try:
        from gunicorn.app.wsgiapp import WSGIApplication
    except ImportError:
        return _import_app_string(app)
    argv = ["gunicorn"] + (["-c", config] if config else []) + [app]
    sys.argv = argv
    application = WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]")
    application.load_wsgiapp()
    try:
        application.cfg.worker_class  # imports the worker class (gevent, uvicorn's worker, ...)
    except Exception as error:
        sys.stderr.write("worker class did not load: %r\n" % (error,))
        raise
    return application


def load_asgi(app, factory=False):
    try:
        import uvicorn
    except ImportError:
        return _import_app_string(app)
    config = uvicorn.Config(app, factory=bool(factory))
    config.load()
    if not config.loaded:
        raise SystemExit(3)
    return config


def _dotted_strings(value, found):
    if isinstance(value, str):
        if (
            "." in value
            and " " not in value
            and "/" not in value
            and value.replace(".", "").replace("_", "").isalnum()
        ):
            found.add(value)
    elif isinstance(value, dict):
        for item in value.values():
            _dotted_strings(item, found)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            _dotted_strings(item, found)


def load_django(settings_module):
    if settings_module:
        os.environ["DJANGO_SETTINGS_MODULE"] = settings_module
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    try:
        call_command("check", "--deploy")
    except Exception as error:  # a deploy warning turned error is not a failure to start
        sys.stderr.write("check --deploy: %s\n" % (str(error).splitlines() or [""])[0])
    from django.db import connections

    for alias in connections:
        connections[alias]  # loads the backend module, which imports the driver
    try:
        from django.template import engines

        engines.all()
    except Exception as error:
        sys.stderr.write("templates: %r\n" % (error,))
    from django.urls import get_resolver

    def walk(patterns):
        for pattern in patterns:
            walk(getattr(pattern, "url_patterns", ()))

    walk(get_resolver().url_patterns)
    found = set()
    for name in dir(settings):
        if name.isupper():
            _dotted_strings(getattr(settings, name, None), found)
    from django.utils.module_loading import import_string

    for path in sorted(found):
        try:
            importlib.import_module(path)
            continue
        except Exception:
            pass
        try:
            import_string(path)
        except Exception:
            pass
    from django.core.wsgi import get_wsgi_application

    get_wsgi_application()


def load_celery(app_name):
    from celery.app.utils import find_app

    app = find_app(app_name)
    app.loader.import_default_modules()
    app.finalize(auto=True)
    list(app.tasks.keys())
    try:
        app.connection_for_write().transport  # imports the broker's client library
    except Exception as error:
        sys.stderr.write("broker transport: %r\n" % (error,))
    try:
        app.backend
    except Exception as error:
        sys.stderr.write("result backend: %r\n" % (error,))


def main(argv):
    kind, argument = argv[0], argv[1]
    extra = argv[2] if len(argv) > 2 else None
    sys.path.insert(0, os.getcwd())
    loaders = {
        "wsgi": load_wsgi,
        "asgi": load_asgi,
        "django": load_django,
        "celery": load_celery,
        "module": importlib.import_module,
    }
    try:
        if kind in ("wsgi", "asgi"):
            loaders[kind](argument, extra)
        else:
            loaders[kind](argument)
    except SystemExit:
        raise
    except BaseException as error:
        traceback.print_exc()
        sys.stderr.write("%s: %s\n" % (type(error).__name__, error))
        raise SystemExit(3) from None
    sys.stdout.write("jettison: %s %s loaded\n" % (kind, argument))


if __name__ == "__main__":
    main(sys.argv[1:])
