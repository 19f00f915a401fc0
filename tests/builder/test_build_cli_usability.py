"""The command line as people meet it: help with examples, version, exit codes, colour, and
shell completion."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from _build_support import run
from click.testing import CliRunner
from odido_gen import __version__
from odido_gen.cli import main

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    ctx = click.Context(group, info_name="odido-gen")
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        yield (*path, name)
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))


COMMANDS = [(), *_commands(main)]


def test_every_command_is_listed() -> None:
    assert {c for c in COMMANDS if len(c) == 1} == {
        ("build",),
        ("generate",),
        ("portal",),
        ("sandbox",),
    }
    assert ("portal", "pull") in COMMANDS and ("portal", "products") in COMMANDS


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "odido-gen")
def test_help_shows_an_example_and_fits_a_terminal(command: tuple[str, ...]) -> None:
    result = run(*command, "--help")

    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: odido-gen {' '.join(command)}".rstrip())
    assert "Example" in result.output
    example = result.output.split("Example", 1)[1]
    assert "odido-gen" in example or "pip install" in example
    too_wide = [line for line in result.output.splitlines() if len(line) > 80]
    assert too_wide == []


def test_version() -> None:
    result = run("--version")
    assert (result.exit_code, result.output) == (0, f"odido-gen, version {__version__}\n")


def test_help_documents_exit_codes_and_completion() -> None:
    text = " ".join(run("--help").output.split())
    assert "Exit codes: 0 ok, 1 check or drift failed, 2 usage or input error." in text
    assert "_ODIDO_GEN_COMPLETE=bash_source odido-gen" in text


def test_exit_codes(tmp_path: Path) -> None:
    spec = Path(__file__).resolve().parents[1] / "fixtures" / "specs" / "petstore-lite.yaml"
    out = tmp_path / "out"
    one_off = ["generate", "--spec", str(spec), "--package", "pets", "--output", str(out)]
    first = run(*one_off)
    assert first.exit_code == 0, first.output
    (out / "pets" / "README.md").write_text("edited")

    assert run(*one_off, "--check").exit_code == 1  # drift
    assert run("generate", "--nope").exit_code == 2  # usage
    assert run("generate", "--config", str(tmp_path / "missing.toml")).exit_code == 2  # input
    assert run("no-such-command").exit_code == 2


def test_colour_only_on_a_terminal(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.toml")

    plain = run("generate", "--config", missing)
    coloured = run("generate", "--config", missing, color=True)

    assert plain.exit_code == coloured.exit_code == 2
    assert plain.output.startswith("error: ") and not ANSI.search(plain.output)
    assert ANSI.sub("", coloured.output) == plain.output and ANSI.search(coloured.output)


def test_shell_completion_script_and_candidates() -> None:
    runner = CliRunner()
    script = runner.invoke(
        main, [], prog_name="odido-gen", env={"_ODIDO_GEN_COMPLETE": "bash_source"}
    )
    words = runner.invoke(
        main,
        [],
        prog_name="odido-gen",
        env={
            "_ODIDO_GEN_COMPLETE": "bash_complete",
            "COMP_WORDS": "odido-gen bu",
            "COMP_CWORD": "1",
        },
    )

    assert script.exit_code == 0 and "_odido_gen_completion" in script.output
    assert words.exit_code == 0 and words.output.splitlines() == ["plain,build"]
