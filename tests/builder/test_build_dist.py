"""`odido-gen build`: sdists and wheels, their metadata, twine, reproducibility, exit codes."""

from __future__ import annotations

import configparser
import zipfile
from pathlib import Path

import pytest
from _build_support import (
    ROOT,
    run,
    sdist_names,
    tree,
    twine_check,
    wheel_metadata,
    wheel_names,
    write_config,
)
from odido_gen.builder import DEFAULT_SOURCE_DATE_EPOCH, runtime_source
from odido_runtime import __version__ as RUNTIME_VERSION
from packaging.specifiers import SpecifierSet
from packaging.version import Version

# Hostile on purpose: quotes, a comma (keywords are comma-joined), markup and a line break.
PORTAL = 'portal = { id = 7, name = "Pets, \\"Lite\\" <b>\\nAPI" }\n'
FILES = [
    "odido_pets-2.1.0-py3-none-any.whl",
    "odido_pets-2.1.0.tar.gz",
    f"odido_runtime-{RUNTIME_VERSION}-py3-none-any.whl",
    f"odido_runtime-{RUNTIME_VERSION}.tar.gz",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("project")
    write_config(project, PORTAL)
    with pytest.MonkeyPatch.context() as env:
        env.delenv("SOURCE_DATE_EPOCH", raising=False)
        env.setenv("ODIDO_GEN_CACHE_DIR", str(project / "cache"))
        result = run("build", "--out", "dist", folder=project)
    assert result.exit_code == 0, result.output
    return project / "dist"


def test_an_sdist_and_a_wheel_for_the_runtime_and_each_product(built: Path) -> None:
    assert sorted(p.name for p in built.iterdir()) == FILES


def test_wheel_metadata_names_the_product_and_a_runtime_range(built: Path) -> None:
    meta = wheel_metadata(built / FILES[0])
    runtime = wheel_metadata(built / FILES[2])

    assert (meta["Name"], meta["Version"]) == ("odido-pets", "2.1.0")  # the config's version
    assert meta["Summary"] == (
        'Typed Python client for Petstore Lite (Odido developer portal product Pets, "Lite" <b> '
        "API)"
    )
    assert meta["Requires-Python"] == ">=3.11"
    assert meta["Description-Content-Type"] == "text/markdown"
    assert "# odido-pets" in meta.get_payload()
    keywords = meta["Keywords"].split(",")
    assert {"odido", "pets", 'Pets "Lite" <b> API'} <= set(keywords)
    assert meta.get_all("Project-URL") == ["Odido developer portal, https://developer.odido.nl/"]
    (requirement,) = meta.get_all("Requires-Dist")
    name, _, specifier = requirement.partition("<")
    assert name == "odido-runtime"
    allowed = SpecifierSet("<" + specifier)
    # A compatible range: the runtime built alongside, its patch releases, not the next minor.
    assert Version(runtime["Version"]) == Version(RUNTIME_VERSION)
    assert Version(runtime["Version"]) in allowed
    major, minor, _ = Version(RUNTIME_VERSION).release
    assert Version(f"{major}.{minor}.9") in allowed
    assert Version(f"{major}.{minor + 1}.0") not in allowed
    assert runtime.get_all("Requires-Dist") == ["httpx<1,>=0.28", "pydantic<3,>=2.11"]


def test_artifacts_hold_the_package_and_nothing_else(built: Path) -> None:
    wheel = wheel_names(built / FILES[0])
    sdist = sdist_names(built / FILES[1])

    assert "odido_pets/__init__.py" in wheel and "odido_pets/py.typed" in wheel
    assert {n.split("/")[0] for n in wheel} == {"odido_pets", "odido_pets-2.1.0.dist-info"}
    top = {n.split("/")[1] for n in sdist if n.count("/") >= 1}
    assert top == {"odido_pets", "README.md", "pyproject.toml", "PKG-INFO"}
    assert not [n for n in wheel + sdist if "__pycache__" in n or n.endswith(".pyc")]


def test_twine_check_passes_on_every_artifact(built: Path) -> None:
    result = twine_check(*sorted(built.iterdir()))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == len(FILES)


def test_two_builds_of_the_same_inputs_are_byte_identical(tmp_path: Path) -> None:
    write_config(tmp_path / "project")

    first = run("build", "--no-cache", "--out", "one", folder=tmp_path / "project")
    second = run("build", "--no-cache", "--out", "two", folder=tmp_path / "project")

    assert first.exit_code == second.exit_code == 0, first.output + second.output
    one, two = tree(tmp_path / "project" / "one"), tree(tmp_path / "project" / "two")
    assert sorted(one) == FILES
    assert one == two
    with zipfile.ZipFile(tmp_path / "project" / "one" / FILES[0]) as wheel:
        assert {info.date_time for info in wheel.infolist()} == {(2020, 2, 2, 0, 0, 0)}


def test_source_date_epoch_is_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14T22:13:20Z

    result = run("build", "--no-runtime", "--out", "dist", folder=tmp_path)

    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "dist" / FILES[0]) as wheel:
        # Zip times have a two-second resolution.
        assert {info.date_time for info in wheel.infolist()} == {(2023, 11, 14, 22, 13, 20)}
    assert DEFAULT_SOURCE_DATE_EPOCH == 1580601600


def test_build_leaves_the_generated_folder_alone(tmp_path: Path) -> None:
    write_config(tmp_path)
    assert run("generate", folder=tmp_path).exit_code == 0
    before = tree(tmp_path / "generated")

    result = run("build", "--no-runtime", folder=tmp_path)

    assert result.exit_code == 0, result.output
    assert tree(tmp_path / "generated") == before
    litter = [p for p in tmp_path.rglob("*") if p.name == "build" or p.suffix == ".egg-info"]
    assert litter == []
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == FILES[:2]


def test_quiet_prints_nothing_and_the_default_lists_the_files(tmp_path: Path) -> None:
    write_config(tmp_path)

    quiet = run("-q", "build", "--no-runtime", "--out", "q", folder=tmp_path)
    normal = run("build", "--no-runtime", "--out", "n", folder=tmp_path)

    assert (quiet.exit_code, quiet.output) == (0, "")
    assert normal.exit_code == 0
    lines = normal.output.splitlines()
    assert lines[0] == "pets: odido-pets 2.1.0"
    assert any(line.strip().startswith("n/odido_pets-2.1.0-py3-none-any.whl") for line in lines)
    assert lines[-1].startswith("1 distribution(s), 2 files in n ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("build", "nope"), "unknown product 'nope' (configured: pets)"),
        (("build", "--no-runtime", "--config", "empty.toml"), "nothing to build"),
        (("build", "--bogus"), "No such option '--bogus'"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    write_config(tmp_path)
    (tmp_path / "empty.toml").write_text("")

    result = run(*args, folder=tmp_path)

    assert result.exit_code == 2
    assert message in result.output


def test_bad_source_date_epoch_and_version_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_config(tmp_path / "ok")
    write_config(tmp_path / "v2", version="v2")

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    epoch = run("build", "--no-runtime", folder=tmp_path / "ok")
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    version = run("build", "--no-runtime", folder=tmp_path / "v2")

    assert epoch.exit_code == 2 and "SOURCE_DATE_EPOCH='yesterday'" in epoch.output
    assert version.exit_code == 2
    assert "'v2' is not a canonical PEP 440 version" in version.output
    assert not (tmp_path / "ok" / "dist").exists() and not (tmp_path / "v2" / "dist").exists()


def test_the_runtime_is_built_from_this_checkout() -> None:
    assert runtime_source() == ROOT / "runtime"


def test_odido_gen_wheel_carries_templates_runtime_and_the_hook(tmp_path: Path) -> None:
    """An installed odido-gen (not a checkout) can generate, build the runtime and hook builds."""
    import build

    wheel = Path(build.ProjectBuilder(ROOT).build("wheel", tmp_path))
    names = set(wheel_names(wheel))

    assert "odido_gen/templates/README.md.j2" in names
    assert "odido_gen/_runtime/pyproject.toml" in names
    assert "odido_gen/_runtime/src/odido_runtime/__init__.py" in names
    assert "odido_gen/hatch.py" in names
    entry_points = configparser.ConfigParser()
    with zipfile.ZipFile(wheel) as archive:
        entry_points.read_string(
            archive.read("odido_gen-0.1.0.dist-info/entry_points.txt").decode()
        )
    assert dict(entry_points["hatch"]) == {"odido-gen": "odido_gen.hatch"}
