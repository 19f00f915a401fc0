"""Each generated package's README: client, auth, environments, errors, paging, and every
resource with an example; the distribution's metadata text escaped."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from _build_support import ROOT, run, write_config
from odido_runtime import Environment

GENESYS_README = ROOT / "generated" / "odido-genesys" / "README.md"
SECTIONS = ["Install", "Authenticate", "Environments", "Use", "Paging", "Errors", "Resources"]


@pytest.fixture(scope="module")
def readme() -> str:
    return GENESYS_README.read_text()


def test_readme_has_every_section_in_order(readme: str) -> None:
    headings = re.findall(r"^## (.+)$", readme, flags=re.MULTILINE)
    assert headings == SECTIONS


def test_every_resource_has_an_example(readme: str) -> None:
    resources = readme.split("\n## Resources\n", 1)[1].split("\n### ")[1:]
    assert resources
    for section in resources:
        attribute = section.split("`", 2)[1]
        example = section.split("```python\n", 1)[1].split("```", 1)[0]
        assert example.startswith(f"result = {attribute}."), section[:200]


def test_environment_table_matches_the_runtime(readme: str) -> None:
    for name in ("dev", "agile", "staging", "production"):
        known = Environment.named(name)
        row = next(line for line in readme.splitlines() if line.startswith(f'| `"{name}"`'))
        assert f"`{known.api_base}`" in row and f"`{known.token_url}`" in row


def test_readme_documents_versions_and_the_token_header(readme: str) -> None:
    text = " ".join(readme.split())
    assert "This is version `0.1.0` of the package, a PEP 440 version" in text
    assert "`v2` (the spec's `info.version`), is a different thing" in text
    assert "sent as `x-auth-token: Bearer <token>`" in text


def test_portal_text_is_escaped_in_readme_and_pyproject(tmp_path: Path) -> None:
    name = 'Pets `x` <script>alert(1)</script> "q"\nline'
    write_config(tmp_path, f"portal = {{ id = 7, name = {tomllib_string(name)} }}\n")

    result = run("generate", folder=tmp_path)

    assert result.exit_code == 0, result.output
    package = tmp_path / "generated" / "odido-pets"
    readme = (package / "README.md").read_text()
    pyproject = tomllib.loads((package / "pyproject.toml").read_text())
    # Only inside a code span, where Markdown shows markup as text.
    span = '(portal product ``Pets `x` <script>alert(1)</script> "q" line``)'
    assert span in readme and readme.count("<script>") == 1
    assert pyproject["tool"]["odido-gen"]["portal-product"] == name
    assert pyproject["tool"]["odido-gen"]["portal-id"] == "7"
    assert "\n" not in pyproject["project"]["description"]
    assert pyproject["project"]["keywords"][-1] == 'Pets `x` <script>alert(1)</script> "q" line'


def tomllib_string(value: str) -> str:
    import json

    encoded = json.dumps(value)
    assert tomllib.loads(f"v = {encoded}")["v"] == value
    return encoded
