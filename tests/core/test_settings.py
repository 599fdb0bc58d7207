"""One declaration of the options: every subcommand's flags, the ``KG_*`` variables and the defaults agree."""

from __future__ import annotations

import argparse
import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.options import EVERY_COMMAND, PUBLISH, SERVE, env_name
from core.settings import REPO_ROOT, DataFile, Settings, add_options
from kg.cli import parser


def _parse(*argv: str) -> argparse.Namespace:
    return parser().parse_args(list(argv))


def test_every_option_has_help_and_reaches_its_commands() -> None:
    for spec in dataclasses.fields(Settings):
        meta = spec.metadata["option"]
        assert meta.help, spec.name
        assert set(meta.commands) <= set(EVERY_COMMAND), spec.name
        for command in meta.commands:
            sub = argparse.ArgumentParser()
            add_options(sub, command)
            assert spec.name in {action.dest for action in sub._actions}, (spec.name, command)


@pytest.mark.parametrize("command", ["build", "dump", "stats", "query", "serve", "publish"])
def test_the_build_directory_variable_reaches_every_subcommand(command: str, tmp_path: Path) -> None:
    arguments = _parse(command)
    settings = Settings.resolve(environ={"KG_BUILD_DIR": str(tmp_path)}, arguments=arguments)
    assert settings.build_dir == tmp_path


def test_a_flag_wins_over_the_environment_which_wins_over_the_default(tmp_path: Path) -> None:
    environ = {env_name("port"): "9100", env_name("query_timeout"): "2.5", env_name("build_dir"): str(tmp_path)}
    settings = Settings.resolve(environ=environ, arguments=_parse(SERVE, "--port", "9200"))
    assert (settings.port, settings.query_timeout, settings.build_dir) == (9200, 2.5, tmp_path)
    assert Settings.resolve(environ={}, arguments=_parse(SERVE)).port == Settings().port == 8000


def test_booleans_and_lists_from_the_environment() -> None:
    environ = {"KG_REASONER": "false", "KG_DATA_FILES": "http://example.org/g=/tmp/a.nt /tmp/b.ttl"}
    settings = Settings.resolve(environ=environ)
    assert settings.reasoner is False
    assert settings.data_files == (DataFile(Path("/tmp/a.nt"), "http://example.org/g"), DataFile(Path("/tmp/b.ttl")))
    assert Settings.resolve(environ={}, arguments=_parse("build", "--no-reasoner", "--no-docs")).docs is False


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [("KG_PORT", "eighty", "KG_PORT"), ("KG_WORKERS", "0", "at least 1"), ("KG_ISOLATE_NETWORK", "maybe", "true")],
)
def test_a_bad_variable_is_refused_with_its_name(variable: str, value: str, expected: str) -> None:
    with pytest.raises(ValueError, match=expected):
        Settings.resolve(environ={variable: value})


def test_a_bad_flag_is_refused_by_the_parser() -> None:
    with pytest.raises(SystemExit):
        _parse(SERVE, "--workers", "0")


def test_a_base_iri_must_end_with_a_separator() -> None:
    with pytest.raises(ValueError, match="base IRI"):
        Settings.resolve(environ={"KG_BASE_IRI": "https://example.org/kg"})


def test_publish_needs_a_store_and_derives_its_location() -> None:
    settings = Settings.resolve(environ={}, arguments=_parse(PUBLISH, "--to", "http://127.0.0.1:7878"))
    location = settings.publish_location
    assert location is not None and (location.url, location.gsp_path) == ("http://127.0.0.1:7878", "/store")
    assert Settings.resolve(environ={}).publish_location is None


def test_kg_exits_2_naming_a_bad_variable() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "kg", "stats"],
        cwd=REPO_ROOT,
        env={**os.environ, "KG_BUILD_DIR": "/tmp", "KG_CACHE_MB": "-1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 2
    assert "KG_CACHE_MB" in completed.stderr


def test_serving_does_not_import_the_build_toolchain() -> None:
    """``kg serve`` loads the app and the server only: no owlready2, pySHACL, pyLODE or rdflib."""
    probe = (
        "import sys; from kg.cli import parser; import server.runner, server.app; "
        "heavy = [m for m in ('owlready2', 'pyshacl', 'pylode', 'rdflib', 'graph.build') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    completed = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == ""
