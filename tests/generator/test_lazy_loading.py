"""Generated packages load lazily: one call imports its resource and its models, nothing more."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GENESYS = ROOT / "generated" / "odido-genesys"
FULL_SPEC = ROOT.parent / "shared" / "specs" / "genesys-cloud-platform-api.json"

# Runs in a fresh interpreter, so sys.modules shows exactly what one call needed.
PROBE = """
import json, sys
import httpx
sys.path.insert(0, sys.argv[1])
package = sys.argv[2]
module = __import__(package)
from odido_runtime import ClientCredentials, Environment

def answer(request):
    return httpx.Response(200, json={"entities": [], "pageNumber": 1, "pageCount": 0})

client_class = getattr(module, "GenesysClient")
client = client_class(
    credentials=ClientCredentials("id", "secret"),
    environment=Environment(name="mock", token_url="https://id.invalid/t", api_base="https://a.invalid"),
    http_client=httpx.Client(transport=httpx.MockTransport(answer)),
    auth=httpx.BasicAuth("u", "p"),
)
after_import = sorted(m for m in sys.modules if m.startswith(package + "."))
page = client.outbound.get_outbound_contactlists(page_size=5)
assert page.entities == [], page
loaded = sorted(m for m in sys.modules if m.startswith(package + "."))
print(json.dumps({"after_import": after_import, "after_call": loaded}))
"""


def probe(package_dir: Path, package: str) -> dict[str, list[str]]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(package_dir), package],
        capture_output=True,
        text=True,
        check=True,
    )
    data: dict[str, list[str]] = json.loads(result.stdout)
    return data


def model_modules(package_dir: Path, package: str) -> list[str]:
    folder = package_dir / package / "models"
    return [p.stem for p in folder.glob("*.py") if p.stem != "__init__"]


def assert_lazy(package_dir: Path, package: str) -> None:
    seen = probe(package_dir, package)
    models = model_modules(package_dir, package)
    assert not [m for m in seen["after_import"] if ".models." in m or ".resources." in m]
    resources = [m for m in seen["after_call"] if ".resources." in m]
    assert resources == [f"{package}.resources.outbound"]
    loaded = [m for m in seen["after_call"] if ".models." in m]
    assert f"{package}.models.contact_list_entity_listing" in loaded
    # The listing, what it holds, and the error model: a small fraction of the whole.
    assert 0 < len(loaded) <= max(10, len(models) // 10), (len(loaded), len(models))


def test_one_call_loads_one_resource_and_few_models() -> None:
    assert_lazy(GENESYS, "odido_genesys")


def test_type_checkers_see_every_model_name() -> None:
    init = GENESYS / "odido_genesys" / "models" / "__init__.py"
    tree = ast.parse(init.read_text())
    checked: set[str] = set()
    lazy: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for imp in node.body:
                assert isinstance(imp, ast.ImportFrom)
                checked.update(alias.name for alias in imp.names)
        if isinstance(node, ast.AnnAssign) and ast.unparse(node.target) == "_MODULES":
            assert node.value is not None
            lazy = ast.literal_eval(node.value)
    assert lazy, "models/__init__.py maps names to modules"
    assert checked == set(lazy)
    for name, module in lazy.items():
        source = (GENESYS / "odido_genesys" / "models" / f"{module}.py").read_text()
        assert f"class {name}(" in source


@pytest.mark.slow
def test_whole_genesys_definition_is_lazy_too(tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["--spec", str(FULL_SPEC), "--package", "genesys_full", "--client-name", "Genesys"]
    result = subprocess.run(
        [sys.executable, "-m", "odido_gen", "generate", "--no-cache", *args, "--output", str(out)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "932 operations" in result.stdout
    assert_lazy(out / "genesys-full", "genesys_full")
