"""Name resolution: modules from file lists, the chain's order and provenance, local shadowing."""

from __future__ import annotations

from packaging.requirements import Requirement

from jettison.deps.distributions import DistributionInfo, parse_metadata, provided_modules
from jettison.deps.local import LocalModules
from jettison.deps.resolve import DistributionResolver, guess_modules, offline_link, offline_table
from jettison.deps.verdicts import ModuleIndex
from jettison.model.requirements import LockedPackage


def test_provided_modules_from_wheel_file_lists():
    assert provided_modules(["PIL/__init__.py", "PIL/Image.py", "pillow-10.0.dist-info/RECORD"]) == ("PIL",)
    assert provided_modules(["six.py", "six-1.16.dist-info/METADATA"]) == ("six",)
    assert provided_modules(["_cffi_backend.cpython-311-x86_64-linux-gnu.so"]) == ("_cffi_backend",)
    # Namespace packages: the first regular package below the namespace directories.
    assert provided_modules(["google/cloud/storage/__init__.py", "google/cloud/storage/blob.py"]) == (
        "google.cloud.storage",
    )
    assert provided_modules(["google/protobuf/__init__.py", "google/api/http_pb2.py"]) == (
        "google.api",
        "google.protobuf",
    )
    assert provided_modules(["foo-1.0.data/purelib/foo/__init__.py"]) == ("foo",)


def test_parse_metadata():
    requires, extras, python = parse_metadata(
        "Metadata-Version: 2.1\nName: x\nRequires-Dist: a>=1\nRequires-Dist: b; extra == 'fast'\n"
        "Provides-Extra: Fast\nRequires-Python: >=3.8\n\nlong description\n"
    )
    assert requires == ("a>=1", "b; extra == 'fast'") and extras == ("fast",) and python == ">=3.8"


def test_builtin_table_covers_the_usual_name_mismatches():
    table = offline_table()
    expected = {
        "pillow": "PIL", "pyyaml": "yaml", "scikit-learn": "sklearn", "beautifulsoup4": "bs4",
        "python-dateutil": "dateutil", "pyjwt": "jwt", "python-dotenv": "dotenv",
        "psycopg2-binary": "psycopg2",
        "google-cloud-storage": "google.cloud.storage",
    }  # fmt: skip
    for name, module in expected.items():
        assert module in table[name].modules, name
    google = ("google-cloud-storage", "protobuf", "google-api-core")
    index = ModuleIndex({name: table[name] for name in google})
    assert index.providers("google.cloud.storage.blob") == {"google-cloud-storage"}
    assert index.providers("google.protobuf.json_format") == {"protobuf"}


def test_chain_order_and_provenance():
    calls = []

    def first(name, requirement, pin):
        calls.append(("first", name))
        if name != "special-dist":
            return None
        return DistributionInfo(name, "1", ("special",), (), 10, "first link")

    resolver = DistributionResolver([("first", first), ("built-in table", offline_link)])
    assert resolver.info("special-dist").source == "first link"
    assert resolver.info("PyYAML").source.startswith("built-in table")
    unknown = resolver.info("totally-unknown-dist")
    assert unknown.source == "name guess" and unknown.modules == ("totally_unknown_dist",)
    assert resolver.info("special-dist") is resolver.info("special_dist")  # memoized by normalized name
    assert calls.count(("first", "special-dist")) == 1


def test_failing_link_falls_through_and_is_recorded():
    def broken(name, requirement, pin):
        raise OSError("network unreachable")

    resolver = DistributionResolver([("index", broken), ("built-in table", offline_link)])
    assert resolver.info("flask").source.startswith("built-in table")
    assert "network unreachable" in resolver.problems["flask"]


def test_lock_file_edges_fill_in_unknown_requirements():
    locked = [LockedPackage("internal-lib", "2.0", (Requirement("flask"),))]
    resolver = DistributionResolver([("built-in table", offline_link)], locked)
    info = resolver.info("internal-lib")
    assert info.requires == ("flask",) and info.version == "2.0" and "lock file" in info.source


def test_guessed_module_names():
    assert guess_modules("python-foo") == ("python_foo", "foo")
    assert guess_modules("psycopg2-binary") == ("psycopg2",)
    assert guess_modules("zope.interface") == ("zope_interface",)


def test_local_modules_shadow_third_party_names():
    local = LocalModules(
        ["redis.py", "app/__init__.py", "app/views.py", "app/celery.py", "scripts/yaml.py", "scripts/run.py",
         "src/service/__init__.py", "src/service/main.py"]
    )  # fmt: skip
    assert local.is_local("redis", "app/views.py")  # beside the project root
    assert local.is_local("app", "app/views.py")
    assert not local.is_local("celery", "app/views.py")  # app/celery.py is app.celery, not celery
    assert local.is_local("yaml", "scripts/run.py")  # a script's own directory is on sys.path
    assert not local.is_local("yaml", "app/views.py")
    assert local.is_local("service", "src/service/main.py")  # src layout


def test_installed_environment_link(tmp_path):
    import sys

    from jettison.deps.pipeline import audit_requirements
    from jettison.model.audit import AuditOptions

    (tmp_path / "app.py").write_text("import rich\n")
    (tmp_path / "requirements.txt").write_text("rich\npygments\nmarkdown-it-py\nclick\n")
    options = AuditOptions(offline=True, python=sys.executable, cache=tmp_path / "cache")
    result = audit_requirements(tmp_path, options)
    verdicts = {v.name: (v.verdict.value, v.mapping_source) for v in result.judgement.verdicts}
    assert verdicts["rich"] == ("used", f"installed: {sys.executable}")
    assert verdicts["pygments"][0] == verdicts["markdown-it-py"][0] == "transitive"
    assert verdicts["click"][0] == "unused"
    assert result.links[0] == f"installed ({sys.executable})"


def test_user_mapping_and_config_excludes(tmp_path):
    from jettison.deps.pipeline import audit_requirements
    from jettison.model.audit import AuditOptions

    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "svc"\ndependencies = ["inhouse-sdk", "flask"]\n'
        '[tool.jettison]\nexclude = ["scripts"]\n'
        '[tool.jettison.package-modules]\ninhouse-sdk = ["acme"]\n'
    )
    (tmp_path / "app.py").write_text("import acme.client\n")
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "tool.py").write_text("import flask\n")
    result = audit_requirements(tmp_path, AuditOptions(offline=True, cache=tmp_path / ".cache"))
    verdicts = {v.name: (v.verdict.value, v.mapping_source) for v in result.judgement.verdicts}
    assert verdicts["inhouse-sdk"] == ("used", "user mapping; name guess")
    assert verdicts["flask"][0] == "unused"  # only scripts/ imports it, and the config excludes scripts/
    assert result.links[0] == "user mapping"


def test_sdist_file_lists_give_the_modules_setuptools_discovery_installs():
    from jettison.deps.distributions import sdist_modules

    flat = ["d-1/allauth/__init__.py", "d-1/allauth/account/views.py", "d-1/setup.py", "d-1/manage.py",
            "d-1/tests/__init__.py", "d-1/docs/conf.py", "d-1/PKG-INFO",
            "d-1/d.egg-info/PKG-INFO"]  # fmt: skip
    assert sdist_modules(flat) == ("allauth",)
    assert sdist_modules(["p-1/src/foo/__init__.py", "p-1/tests/test_x.py", "p-1/setup.py"]) == ("foo",)
    assert sdist_modules(["p-1/six.py", "p-1/setup.py", "p-1/conftest.py"]) == ("six",)
    assert sdist_modules(["p-1/PKG-INFO", "p-1/setup.py"]) == ()
