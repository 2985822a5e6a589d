"""The systemd unit runs commands the CLI accepts, reloads by SIGHUP, and points the reader
to the reverse-proxy setup that exists."""

from __future__ import annotations

import shlex

from feedhub.cli import build_parser
from tests.conftest import ROOT

UNIT = ROOT / "contrib" / "systemd" / "feedhub.service"


def directives() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in UNIT.read_text().splitlines():
        if line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            found.setdefault(key, []).append(value)
    return found


def test_unit_commands_are_valid_cli_invocations():
    unit = directives()
    for key in ("ExecStartPre", "ExecStart"):
        argv = shlex.split(unit[key][0])
        assert argv[0].endswith("/feedhub")
        args = build_parser().parse_args(argv[1:])
        assert args.config == "/etc/feedhub/config.yaml"
    assert shlex.split(unit["ExecStart"][0])[1] == "serve"
    assert shlex.split(unit["ExecStartPre"][0])[1] == "check"
    assert unit["ExecReload"] == ["/bin/kill -HUP $MAINPID"]
    assert unit["KillSignal"] == ["SIGTERM"]
    assert unit["Environment"] == ["FEEDHUB_LOG_FORMAT=json"]
    assert unit["StateDirectory"] == ["feedhub"] and unit["ProtectSystem"] == ["strict"]


def test_unit_documents_the_paths_of_a_venv_and_a_pipx_install():
    """The unit runs a venv's script; its header says where pipx puts it instead."""
    header = UNIT.read_text().split("[Unit]")[0]
    venv = "/opt/feedhub/bin/feedhub"
    assert all(shlex.split(directives()[k][0])[0] == venv for k in ("ExecStartPre", "ExecStart"))
    assert "python3 -m venv /opt/feedhub" in header and f"gives {venv}" in header
    assert "PIPX_BIN_DIR=/usr/local/bin pipx install" in header
    assert "gives /usr/local/bin/feedhub" in header and "feedhub init /etc/feedhub" in header


def test_readme_deployment_links_files_that_exist():
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Deployment") :]
    section = section[: section.find("\n## ", 1) if "\n## " in section[1:] else None]
    for path in ("contrib/systemd/feedhub.service", "contrib/nginx/feedhub.conf"):
        assert path in section and (ROOT / path).is_file(), path
