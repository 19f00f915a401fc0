"""(b) Cold import plus the first call of one operation, for each generator's output.

The operation is GET /api/v2/outbound/contactlists/{contactListId} (Genesys operationId
getOutboundContactlistsContactlistId), which all three generators produce. Every measurement is
a fresh `python` process that imports the generated package, builds a client and makes that one
call, answered with the same canned ContactList JSON for all three. The child times import and
call itself; this process also times the whole child, interpreter start-up included.

Two ways to answer, both measured:
- mock (the issue's measure): the HTTP library's own mock, no socket. `httpx.MockTransport`
  for odido-gen and openapi-python-client (odido's client also fetches its OAuth token through
  it, as it would for real); openapi-generator's output runs on urllib3, so it gets the same at
  urllib3's level, a pool manager that returns a `urllib3.HTTPResponse`.
- loopback: a small HTTP server on 127.0.0.1 in this process, so each call also pays for its
  HTTP stack's connection code (odido's token request goes there too).

The first run of each package compiles its bytecode (a fresh output has no __pycache__); the
repetitions after it find it cached, as after `pip install`. Rounds interleave the generators.
Prints medians and odido/peer ratios; no assertions.

    python3 benchmarks/cold_import.py [--spec FILE] [--repeat 5] [--json FILE]

Uses the outputs that generation.py kept under .bench/work/outputs/ (generating any missing
one first). All three run on .bench/clients: their run-time dependencies and nothing else.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from _common import (
    CLIENTS_PYTHON,
    FULL_SPEC,
    GENERATORS,
    OAG,
    ODIDO,
    OPC,
    PACKAGES,
    PEERS,
    WORK_DIR,
    child_env,
    median,
    package_root,
    ratio,
    require,
    table,
)

OPERATION = "GET /api/v2/outbound/contactlists/{contactListId}"
CONTACT_LIST = {
    "id": "cl-1",
    "name": "list 1",
    "version": 1,
    "columnNames": ["phone"],
    "phoneColumns": [{"columnName": "phone", "type": "cell"}],
}
TOKEN = {"access_token": "bench-token", "token_type": "bearer", "expires_in": 3600}

MOCK, LOOPBACK = "mock", "loopback"
MODES = (MOCK, LOOPBACK)

# Child programs: time the import, then one call; print the figures as JSON. The @NAMES@ are
# filled in by _child_code. In mock mode the answering function is defined after `imported`:
# the HTTP library it uses is already loaded by then (each output imports its own).
_PROLOGUE = "import json, time\nstart = time.perf_counter()\n"
_EPILOGUE = (
    "called = time.perf_counter()\n"
    "print(json.dumps({'import_s': imported - start, 'call_s': called - imported,\n"
    "                  'ok': result.name == 'list 1', 'type': type(result).__name__}))\n"
)
_HTTPX_MOCK = """
import httpx
def answer(request):
    return httpx.Response(200, json=@TOKEN@ if request.url.path == "/token" else @BODY@)
"""
_IMPORTS = {
    ODIDO: """
from @PKG@ import ClientCredentials, Environment, GenesysClient
imported = time.perf_counter()
""",
    OPC: """
from @PKG@.api.outbound import get_outbound_contactlists_contactlist_id as operation
from @PKG@.client import AuthenticatedClient
imported = time.perf_counter()
""",
    OAG: """
from @PKG@.api.outbound_api import OutboundApi
from @PKG@.api_client import ApiClient
from @PKG@.configuration import Configuration
imported = time.perf_counter()
""",
}
_CALLS = {
    (ODIDO, MOCK): _HTTPX_MOCK
    + """
env = Environment(name="bench", token_url="@URL@/token", api_base="@URL@")
http = httpx.Client(transport=httpx.MockTransport(answer))
credentials = ClientCredentials("bench", "secret")
with http, GenesysClient(credentials=credentials, environment=env, http_client=http) as client:
    result = client.outbound.get_outbound_contactlists_contactlist_id("cl-1")
""",
    (ODIDO, LOOPBACK): """
env = Environment(name="bench", token_url="@URL@/token", api_base="@URL@")
with GenesysClient(credentials=ClientCredentials("bench", "secret"), environment=env) as client:
    result = client.outbound.get_outbound_contactlists_contactlist_id("cl-1")
""",
    (OPC, MOCK): _HTTPX_MOCK
    + """
mock = {"transport": httpx.MockTransport(answer)}
with AuthenticatedClient(base_url="@URL@", token="bench-token", httpx_args=mock) as client:
    result = operation.sync(contact_list_id="cl-1", client=client)
""",
    (OPC, LOOPBACK): """
with AuthenticatedClient(base_url="@URL@", token="bench-token") as client:
    result = operation.sync(contact_list_id="cl-1", client=client)
""",
    (OAG, MOCK): """
import io, urllib3
class Pool:  # urllib3's PoolManager.request, answered in memory
    def request(self, method, url, **kwargs):
        return urllib3.HTTPResponse(
            body=io.BytesIO(json.dumps(@BODY@).encode()), status=200, reason="OK",
            headers={"Content-Type": "application/json"}, preload_content=False)
with ApiClient(Configuration(host="@URL@", access_token="bench-token")) as api:
    api.rest_client.pool_manager = Pool()
    result = OutboundApi(api).get_outbound_contactlists_contactlist_id("cl-1")
""",
    (OAG, LOOPBACK): """
with ApiClient(Configuration(host="@URL@", access_token="bench-token")) as api:
    result = OutboundApi(api).get_outbound_contactlists_contactlist_id("cl-1")
""",
}
# Mock mode's URLs never resolve: a request that escaped the mock would fail the run.
MOCK_URL = "https://api.bench.invalid"


def _child_code(name: str, mode: str, url: str) -> str:
    code = _PROLOGUE + _IMPORTS[name] + _CALLS[name, mode] + _EPILOGUE
    for key, value in {
        "@PKG@": PACKAGES[name],
        "@URL@": MOCK_URL if mode == MOCK else url,
        "@TOKEN@": repr(TOKEN),
        "@BODY@": repr(CONTACT_LIST),
    }.items():
        code = code.replace(key, value)
    return code


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: with Nagle's algorithm the body of a second
    # answer on a kept-alive connection waits for the client's delayed ACK (40 ms on Linux).
    disable_nagle_algorithm = True

    def _reply(self, body: dict[str, object]) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._reply(CONTACT_LIST)

    def do_POST(self) -> None:  # the token endpoint
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._reply(TOKEN)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def _server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class ImportResult:
    generator: str
    # Seconds per run, as the child measured them (import, call) and as this process did.
    first_in_process: float | None = None
    first_process: float | None = None
    import_seconds: list[float] = field(default_factory=list)
    call_seconds: list[float] = field(default_factory=list)
    process_seconds: list[float] = field(default_factory=list)
    result_type: str = ""
    error: str = ""

    @property
    def total(self) -> float | None:
        if not self.import_seconds:
            return None
        return median([i + c for i, c in zip(self.import_seconds, self.call_seconds, strict=True)])

    @property
    def process(self) -> float | None:
        return median(self.process_seconds) if self.process_seconds else None


@dataclass
class ImportReport:
    spec: str
    operation: str
    repeat: int
    # Per generator: `results` answered by the HTTP library's mock (the measure),
    # `loopback` by the server on 127.0.0.1.
    results: dict[str, ImportResult]
    loopback: dict[str, ImportResult] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def from_json(cls, text: str) -> ImportReport:
        data = json.loads(text)
        for key in ("results", "loopback"):
            data[key] = {k: ImportResult(**v) for k, v in data.get(key, {}).items()}
        return cls(**data)

    def render(self) -> str:
        parts = []
        for title, results in (
            ("Answered by the HTTP library's mock (the issue's measure)", self.results),
            ("Answered by a server on 127.0.0.1", self.loopback),
        ):
            if results:
                parts.extend([f"{title}:", *_render_results(results)])
        return "\n\n".join(parts)


def _render_results(results: dict[str, ImportResult]) -> list[str]:
    rows = []
    for name, res in results.items():
        if res.error or res.total is None or res.process is None:
            rows.append([name, "failed", "", "", "", "", ""])
            continue
        first = res.first_in_process
        rows.append(
            [
                name,
                f"{res.total:.3f}",
                f"{median(res.import_seconds):.3f}",
                f"{median(res.call_seconds):.3f}",
                f"{res.process:.3f}",
                f"{first:.3f}" if first is not None else "",
                res.result_type,
            ]
        )
    header = [
        "generator",
        "import+call s (median)",
        "import s",
        "first call s",
        "whole process s",
        "no-bytecode run s",
        "result",
    ]
    parts = [table(header, rows)]
    odido = results.get(ODIDO)
    if odido is not None and not odido.error:
        ratio_rows = [
            [
                f"odido-gen / {peer}",
                ratio(odido.total, results[peer].total),
                ratio(odido.process, results[peer].process),
                ratio(odido.first_in_process, results[peer].first_in_process),
            ]
            for peer in PEERS
            if peer in results and not results[peer].error
        ]
        header = ["ratio", "import+call", "whole process", "no-bytecode run"]
        parts.append(table(header, ratio_rows))
    parts.extend(
        f"{name} failed:\n\n```\n{res.error}\n```" for name, res in results.items() if res.error
    )
    return parts


def _run_child(python: Path, code: str, root: Path) -> tuple[float, dict[str, object]]:
    start = time.perf_counter()
    done = subprocess.run(
        [str(python), "-c", code],
        env=child_env(pythonpath=root),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    elapsed = time.perf_counter() - start
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        tail = "\n".join(done.stderr.strip().splitlines()[-12:])
        raise RuntimeError(f"exit {done.returncode}:\n{tail}")
    figures: dict[str, object] = json.loads(lines[-1])
    if figures.get("ok") is not True:
        raise RuntimeError(f"unexpected result: {figures}")
    return elapsed, figures


def _outputs(spec: Path, work: Path) -> dict[str, Path]:
    outputs = {name: work / "outputs" / spec.stem / name for name in GENERATORS}
    missing = [name for name, out in outputs.items() if not (out / "pkg").exists()]
    if missing:
        from generation import run as generate

        print(f"generating {', '.join(missing)} first (one run each)", flush=True)
        generate(spec, 1, work, tuple(missing))
    return outputs


def run(spec: Path, repeat: int, work: Path) -> ImportReport:
    python = require(CLIENTS_PYTHON, "run benchmarks/run_all.py first")
    outputs = _outputs(spec, work)
    by_mode = {mode: {name: ImportResult(name) for name in GENERATORS} for mode in MODES}
    with _server() as url:
        for round_no in range(repeat + 1):  # round 0: the no-bytecode run
            order = GENERATORS[round_no % 3 :] + GENERATORS[: round_no % 3]
            for name in order:
                root = package_root(name, outputs[name])
                for mode in MODES:
                    res = by_mode[mode][name]
                    if res.error:
                        continue
                    if not (root / PACKAGES[name]).is_dir():
                        res.error = f"no generated package at {root / PACKAGES[name]}"
                        continue
                    if round_no == 0:  # each mode gets its own no-bytecode run
                        for cache in root.rglob("__pycache__"):
                            shutil.rmtree(cache)
                    try:
                        elapsed, figures = _run_child(python, _child_code(name, mode, url), root)
                    except (RuntimeError, subprocess.TimeoutExpired) as error:
                        res.error = str(error)
                        print(f"  {mode} {name}: FAILED {error}", flush=True)
                        continue
                    import_s, call_s = (
                        float(str(figures["import_s"])),
                        float(str(figures["call_s"])),
                    )
                    res.result_type = str(figures["type"])
                    if round_no == 0:
                        res.first_in_process, res.first_process = import_s + call_s, elapsed
                    else:
                        res.import_seconds.append(import_s)
                        res.call_seconds.append(call_s)
                        res.process_seconds.append(elapsed)
                    label = "no bytecode" if round_no == 0 else f"round {round_no}/{repeat}"
                    print(
                        f"  {label} {mode} {name}: {import_s + call_s:.3f} s ({elapsed:.3f} s)",
                        flush=True,
                    )
    return ImportReport(str(spec), OPERATION, repeat, by_mode[MOCK], by_mode[LOOPBACK])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=FULL_SPEC)
    parser.add_argument("--repeat", type=int, default=5, help="runs per generator (+1 cold)")
    parser.add_argument("--work", type=Path, default=WORK_DIR, help="as for generation.py")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    spec = require(args.spec.resolve(), "no such spec")
    print(f"cold import + first call ({OPERATION}) on {spec.name}'s outputs")
    report = run(spec, args.repeat, args.work.resolve())
    print(report.render())
    if args.json:
        args.json.write_text(report.to_json(), encoding="utf-8")


if __name__ == "__main__":
    main()
