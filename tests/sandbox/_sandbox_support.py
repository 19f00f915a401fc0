"""Helpers of the sandbox tests: where the specs are, tokens, and the sandbox as a process."""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from odido_gen.sandbox._config import SandboxConfig

ROOT = Path(__file__).resolve().parents[2]
GENESYS = ROOT / "specs" / "genesys-outbound.json"
PETSTORE = ROOT / "tests" / "fixtures" / "specs" / "petstore-lite.yaml"
TOKEN_PATH = "/realms/tyk-dev-portal/protocol/openid-connect/token"

CLIENT_ID = "sandbox-tests"
CLIENT_SECRET = "s3cret with spaces & symbols"
ADMIN_TOKEN = "admin-token-for-tests"
SESSION = "session-for-tests"

GENESYS_SCOPE = "Genesys_Services_Oauth_External"
PETSTORE_SCOPE = "petstore-lite"


def make_config(specs: Path, **settings: object) -> SandboxConfig:
    return SandboxConfig(
        specs_dir=specs,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        admin_token=ADMIN_TOKEN,
        session=SESSION,
        **settings,  # type: ignore[arg-type]
    )


def copy_specs(target: Path, *specs: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for spec in specs:
        shutil.copy(spec, target / spec.name)
    return target


def token(
    base_url: str,
    scope: str,
    *,
    method: str = "basic",
    client_id: str = CLIENT_ID,
    secret: str = CLIENT_SECRET,
) -> str:
    """An access token from the sandbox's token endpoint."""
    form = {"grant_type": "client_credentials", "scope": scope}
    if method == "basic":
        response = httpx.post(base_url + TOKEN_PATH, data=form, auth=(client_id, secret))
    else:
        form |= {"client_id": client_id, "client_secret": secret}
        response = httpx.post(base_url + TOKEN_PATH, data=form)
    response.raise_for_status()
    access_token: str = response.json()["access_token"]
    return access_token


@dataclass
class SandboxProcess:
    url: str
    process: subprocess.Popen[str]
    banner: str


@contextlib.contextmanager
def sandbox_process(specs: Path, *extra: str, secrets: bool = True) -> Iterator[SandboxProcess]:
    """`python -m odido_gen.sandbox` on 127.0.0.1 and a free port, until the block ends.

    With `secrets` (the default) it is given CLIENT_SECRET, ADMIN_TOKEN and SESSION; without,
    it makes its own up."""
    given = ["--client-secret", CLIENT_SECRET, "--admin-token", ADMIN_TOKEN, "--cookie", SESSION]
    command = [
        sys.executable,
        "-m",
        "odido_gen.sandbox",
        "--specs",
        str(specs),
        "--port",
        "0",
        "--client-id",
        CLIENT_ID,
        *(given if secrets else []),
        *extra,
    ]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put("")

    threading.Thread(target=read, daemon=True).start()
    try:
        banner: list[str] = []
        while True:
            # Generous: a loaded CI machine; the sandbox prints its URL once it listens.
            line = lines.get(timeout=60)
            if not line:
                _, stderr = process.communicate(timeout=10)
                raise AssertionError(f"the sandbox exited: {stderr}")
            banner.append(line)
            if line.startswith("Press Ctrl+C"):
                break
        url = banner[0].split(" on ", 1)[1].strip()
        yield SandboxProcess(url, process, "".join(banner))
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
