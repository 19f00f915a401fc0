"""Stoplight Prism as an independent judge of the generated Genesys client.

`prism mock specs/genesys-outbound.json` validates every request against the spec (it answers
with an `sl-violations` header when one does not fit) and answers from the spec's examples, or
with random instances of its schemas under `--dynamic`. It stands behind the sandbox gateway as
the upstream, the way Genesys Cloud stands behind Odido's gateway:

    generated client --x-auth-token--> sandbox gateway --Authorization: Bearer--> prism mock

Each of the spec's operations is called once through the client, with its required parameters
and a body built from the spec. Judged: no request that Prism marks invalid, and every 2xx
answer parsed into the method's return type.
"""

from __future__ import annotations

import contextlib
import os
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from _e2e_support import (
    Recorder,
    genesys_product,
    judge,
    operation_calls,
    prism_mock,
    require_prism,
    spec_operation_count,
)
from _sandbox_support import (
    CLIENT_ID,
    CLIENT_SECRET,
    GENESYS,
    TOKEN_PATH,
    copy_specs,
    sandbox_process,
)
from odido_gen.model import Product
from odido_runtime import APIStatusError, ClientCredentials, Environment

odido_genesys = pytest.importorskip("odido_genesys")
from odido_genesys import GenesysClient  # noqa: E402
from odido_genesys.models import DncListCreate  # noqa: E402

pytestmark = pytest.mark.prism

# Operations whose 2xx answer Prism itself cannot produce: their request is still validated.
# CampaignInteractions nests Conversation -> Participant -> Evaluation -> User ... in cycles;
# static mode answers 500 SCHEMA_TOO_COMPLEX, and json-schema-faker (--dynamic) fails on the
# same $ref chain. Nothing the client sends or parses is involved.
PRISM_CANNOT_MOCK = frozenset({"GET /api/v2/outbound/campaigns/{campaignId}/interactions"})


@dataclass
class Judged:
    client: GenesysClient
    recorder: Recorder


@pytest.fixture(scope="module")
def genesys() -> tuple[Product, Mapping[str, Any]]:
    return genesys_product()


@contextlib.contextmanager
def _judged(specs: Path, *prism_options: str) -> Iterator[Judged]:
    """Prism behind the sandbox gateway, and a Genesys client that records each answer."""
    require_prism()
    with (
        prism_mock(GENESYS, *prism_options) as upstream,
        sandbox_process(specs, "--upstream", upstream) as sandbox,
    ):
        recorder = Recorder()
        environment = Environment(
            name="sandbox", token_url=sandbox.url + TOKEN_PATH, api_base=sandbox.url
        )
        with (
            httpx.Client(event_hooks={"response": [recorder]}) as http_client,
            GenesysClient(
                credentials=ClientCredentials(CLIENT_ID, CLIENT_SECRET),
                environment=environment,
                http_client=http_client,
                max_retries=0,  # every request is judged once
            ) as client,
        ):
            yield Judged(client, recorder)


@pytest.fixture(scope="module")
def specs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_specs(tmp_path_factory.mktemp("specs"), GENESYS)


@pytest.fixture(scope="module")
def static(specs: Path) -> Iterator[Judged]:
    with _judged(specs) as judged:
        yield judged


@pytest.fixture(scope="module")
def dynamic(specs: Path) -> Iterator[Judged]:
    # Random answers, reproducible: the seed is printed and ODIDO_PRISM_SEED sets it.
    seed = os.environ.get("ODIDO_PRISM_SEED") or str(random.randrange(1, 2**31))
    print(f"prism mock --dynamic --seed {seed}")
    with _judged(specs, "--dynamic", "--seed", seed) as judged:
        yield judged


def _judge_every_operation(
    judged: Judged, genesys: tuple[Product, Mapping[str, Any]], title: str
) -> None:
    product, document = genesys
    calls = operation_calls(judged.client, product, document)

    verdict = judge(calls, judged.recorder)

    print(verdict.summary(title))
    assert verdict.called == spec_operation_count(document) == 89
    assert verdict.violations == []
    assert verdict.parse_failures == []
    assert verdict.other_errors == []
    assert verdict.rejected == {}
    assert set(verdict.unanswered) <= PRISM_CANNOT_MOCK
    assert verdict.parsed + verdict.no_content + len(verdict.unanswered) == verdict.called


def test_every_operation_passes_prism_static(
    static: Judged, genesys: tuple[Product, Mapping[str, Any]]
) -> None:
    _judge_every_operation(static, genesys, "prism mock (examples)")


def test_prism_violations_reach_the_client(static: Judged) -> None:
    """The judge can say no: an invalid body comes back refused, with its sl-violations."""
    start = len(static.recorder.exchanges)

    with pytest.raises(APIStatusError) as caught:
        # `name` is required: a body built without validation leaves it out.
        static.client.outbound.post_outbound_dnclists(body=DncListCreate.model_construct())

    [exchange] = static.recorder.exchanges[start:]
    assert 400 <= caught.value.status_code < 500
    assert exchange.violations is not None
    assert "name" in exchange.violations


def test_every_operation_passes_prism_dynamic(
    dynamic: Judged, genesys: tuple[Product, Mapping[str, Any]]
) -> None:
    _judge_every_operation(dynamic, genesys, "prism mock --dynamic (random answers)")
