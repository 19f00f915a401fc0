"""Per-request overhead of odido-runtime's SyncAPIClient over a plain httpx.Client.

Both clients call the same loopback server (uvicorn in a subprocess, so the server does not
compete for this process's GIL) in interleaved rounds; the runtime client holds a cached token,
the plain client sends a fixed header. Prints per-request medians and their ratio (target:
runtime / plain <= 1.15). No assertions: this prints figures.

    .venv/bin/python benchmarks/runtime_overhead.py [--requests 500] [--rounds 10]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import httpx

CLIENT_ID = "bench"
CLIENT_SECRET = "bench:secret%+é"


def _serve() -> None:
    """Subprocess side: Keycloak-compatible token endpoint plus a minimal JSON endpoint."""
    from odido_gen.sandbox._keycloak import Keycloak, RegisteredClient
    from odido_gen.sandbox._server import serve
    from starlette.applications import Starlette
    from starlette.routing import Mount

    body = b'{"id":"cl-1","name":"list 1","version":1}'

    async def ping(scope: Any, receive: Any, send: Any) -> None:
        # Raw ASGI: the server's share of each request stays small, so client overhead shows.
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    keycloak = Keycloak([RegisteredClient(CLIENT_ID, CLIENT_SECRET)])
    app = Starlette(routes=[*keycloak.routes, Mount("/api", app=ping)])
    with serve(app) as url:
        print(url, keycloak.token_url(url), flush=True)
        sys.stdin.read()  # until the parent closes our stdin


def _time_requests(call: Callable[[], httpx.Response], n: int) -> list[float]:
    samples: list[float] = []
    clock = time.perf_counter_ns
    for _ in range(n):
        start = clock()
        call().raise_for_status()
        samples.append((clock() - start) / 1000.0)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500, help="requests per client per round")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        _serve()
        return

    from odido_runtime import ClientCredentials, Environment, SyncAPIClient

    server = subprocess.Popen(
        [sys.executable, __file__, "--serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        base_url, token_url = server.stdout.readline().split()
        env = Environment(name="bench", token_url=token_url, api_base=base_url)
        creds = ClientCredentials(CLIENT_ID, CLIENT_SECRET)
        path = "/api/v2/outbound/contactlists/cl-1"
        with (
            httpx.Client(headers={"Authorization": "Bearer fixed-token"}) as plain,
            SyncAPIClient(credentials=creds, environment=env) as runtime,
        ):
            url = base_url + path
            clients: dict[str, Callable[[], httpx.Response]] = {
                "plain httpx.Client": lambda: plain.get(url),
                "odido SyncAPIClient": lambda: runtime.request("GET", path),
            }
            for call in clients.values():  # warm up: connections, token, caches
                _time_requests(call, 200)
            samples: dict[str, list[float]] = {name: [] for name in clients}
            round_medians: dict[str, list[float]] = {name: [] for name in clients}
            names = list(clients)
            for round_no in range(args.rounds):
                # Alternate which client goes first, so drift (CPU clocks, GC) hits both.
                order = names if round_no % 2 == 0 else names[::-1]
                for name in order:
                    timings = _time_requests(clients[name], args.requests)
                    samples[name] += timings
                    round_medians[name].append(statistics.median(timings))
    finally:
        if server.stdin is not None:
            server.stdin.close()
        server.wait(timeout=15)

    total = args.requests * args.rounds
    print(f"{total} requests per client ({args.rounds} interleaved rounds of {args.requests})")
    print(f"{'client':<22} {'median µs':>10} {'p10 µs':>9} {'p90 µs':>9} {'mean µs':>9}")
    medians: dict[str, float] = {}
    for name, values in samples.items():
        deciles = statistics.quantiles(values, n=10)
        medians[name] = statistics.median(values)
        print(
            f"{name:<22} {medians[name]:>10.1f} {deciles[0]:>9.1f} {deciles[-1]:>9.1f} "
            f"{statistics.fmean(values):>9.1f}"
        )
    plain_name, runtime_name = names
    ratio = medians[runtime_name] / medians[plain_name]
    per_round = [
        r / p for r, p in zip(round_medians[runtime_name], round_medians[plain_name], strict=True)
    ]
    print(f"ratio of medians (runtime / plain): {ratio:.3f}  (target <= 1.15)")
    print(
        f"per-round ratios: min {min(per_round):.3f}  median {statistics.median(per_round):.3f}"
        f"  max {max(per_round):.3f}"
    )
    print(f"overhead per request: {medians[runtime_name] - medians[plain_name]:.1f} µs")


if __name__ == "__main__":
    main()
