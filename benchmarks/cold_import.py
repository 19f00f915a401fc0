"""(b) Cold import plus the first call of one operation, for each generator's output.

The operation is GET /api/v2/outbound/contactlists/{contactListId} (Genesys operationId
getOutboundContactlistsContactlistId), which all three generators produce. Every measurement is
a fresh `python` process that imports the generated package, builds a client and makes that one
call against a small HTTP server on 127.0.0.1 in this process (the same canned ContactList JSON
for all three; odido's client also fetches its OAuth token there first, as it would for real).
The child times import and call itself; this process also times the whole child, interpreter
start-up included.

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

# Child programs: time the import, then one call; print the figures as JSON. Only {pkg} and
# {url} of the middle part are filled in.
_PROLOGUE = "import json, time\nstart = time.perf_counter()\n"
_EPILOGUE = (
    "called = time.perf_counter()\n"
    "print(json.dumps({'import_s': imported - start, 'call_s': called - imported,\n"
    "                  'ok': result.name == 'list 1', 'type': type(result).__name__}))\n"
)
CHILDREN = {
    ODIDO: """
from {pkg} import ClientCredentials, Environment, GenesysClient
imported = time.perf_counter()
env = Environment(name="bench", token_url="{url}/token", api_base="{url}")
with GenesysClient(credentials=ClientCredentials("bench", "secret"), environment=env) as client:
    result = client.outbound.get_outbound_contactlists_contactlist_id("cl-1")
""",
    OPC: """
from {pkg}.api.outbound import get_outbound_contactlists_contactlist_id as operation
from {pkg}.client import AuthenticatedClient
imported = time.perf_counter()
with AuthenticatedClient(base_url="{url}", token="bench-token") as client:
    result = operation.sync(contact_list_id="cl-1", client=client)
""",
    OAG: """
from {pkg}.api.outbound_api import OutboundApi
from {pkg}.api_client import ApiClient
from {pkg}.configuration import Configuration
imported = time.perf_counter()
with ApiClient(Configuration(host="{url}", access_token="bench-token")) as api:
    result = OutboundApi(api).get_outbound_contactlists_contactlist_id("cl-1")
""",
}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

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
    results: dict[str, ImportResult]

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)

    @classmethod
    def from_json(cls, text: str) -> ImportReport:
        data = json.loads(text)
        data["results"] = {k: ImportResult(**v) for k, v in data["results"].items()}
        return cls(**data)

    def render(self) -> str:
        rows = []
        for name, res in self.results.items():
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
        odido = self.results.get(ODIDO)
        if odido is not None and not odido.error:
            ratio_rows = [
                [
                    f"odido-gen / {peer}",
                    ratio(odido.total, self.results[peer].total),
                    ratio(odido.process, self.results[peer].process),
                    ratio(odido.first_in_process, self.results[peer].first_in_process),
                ]
                for peer in PEERS
                if peer in self.results and not self.results[peer].error
            ]
            header = ["ratio", "import+call", "whole process", "no-bytecode run"]
            parts.append(table(header, ratio_rows))
        parts.extend(
            f"{name} failed:\n\n```\n{res.error}\n```"
            for name, res in self.results.items()
            if res.error
        )
        return "\n\n".join(parts)


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
    results = {name: ImportResult(name) for name in GENERATORS}
    with _server() as url:
        for round_no in range(repeat + 1):  # round 0: the no-bytecode run
            order = GENERATORS[round_no % 3 :] + GENERATORS[: round_no % 3]
            for name in order:
                res = results[name]
                if res.error:
                    continue
                root = package_root(name, outputs[name])
                if not (root / PACKAGES[name]).is_dir():
                    res.error = f"no generated package at {root / PACKAGES[name]}"
                    continue
                if round_no == 0:
                    for cache in root.rglob("__pycache__"):
                        shutil.rmtree(cache)
                code = _PROLOGUE + CHILDREN[name].format(pkg=PACKAGES[name], url=url) + _EPILOGUE
                try:
                    elapsed, figures = _run_child(python, code, root)
                except (RuntimeError, subprocess.TimeoutExpired) as error:
                    res.error = str(error)
                    print(f"  {name}: FAILED {error}", flush=True)
                    continue
                in_process = float(str(figures["import_s"])) + float(str(figures["call_s"]))
                res.result_type = str(figures["type"])
                if round_no == 0:
                    res.first_in_process, res.first_process = in_process, elapsed
                else:
                    res.import_seconds.append(float(str(figures["import_s"])))
                    res.call_seconds.append(float(str(figures["call_s"])))
                    res.process_seconds.append(elapsed)
                label = "no bytecode" if round_no == 0 else f"round {round_no}/{repeat}"
                print(f"  {label} {name}: {in_process:.3f} s ({elapsed:.3f} s)", flush=True)
    return ImportReport(str(spec), OPERATION, repeat, results)


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
