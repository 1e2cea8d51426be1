"""The README documents every command and every configuration variable."""

from __future__ import annotations

from pathlib import Path

import typer.main

from scidex.cli import app
from scidex.config import ENVIRONMENT_VARIABLES

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def _commands(group: typer.Typer, prefix: str = "scidex") -> list[str]:
    click_group = typer.main.get_command(group)
    names: list[str] = []
    for name, cmd in click_group.commands.items():  # type: ignore[attr-defined]
        if hasattr(cmd, "commands"):
            names += [f"{prefix} {name} {sub}" for sub in cmd.commands]
        else:
            names.append(f"{prefix} {name}")
    return names


def test_every_cli_command_is_in_the_readme() -> None:
    missing = [c for c in _commands(app) if f"`{c}" not in README]
    assert not missing


def test_every_environment_variable_is_in_the_readme() -> None:
    missing = [v for v in ENVIRONMENT_VARIABLES if f"`{v}`" not in README]
    assert not missing


def test_the_two_commands_are_in_the_readme() -> None:
    assert "make run" in README and "make test" in README
