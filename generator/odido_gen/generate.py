"""Generate product packages: load the spec, build the product model, render, format, place."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from odido_gen._cache import RenderCache
from odido_gen._gc import cycle_collector_paused
from odido_gen.config import ProductConfig
from odido_gen.model import Product, build_product
from odido_gen.render import (
    Drift,
    diff_tree,
    discard,
    format_files,
    install_tree,
    render_package,
    replace_tree,
    stage_dir,
)
from odido_gen.render._model_worker import ModelWorker
from odido_gen.render._models import (
    ModelShard,
    check_models,
    generate_shard,
    merge_shards,
    model_shards,
)
from odido_gen.render._package import render_code, render_model_files

if TYPE_CHECKING:
    from odido_gen.spec import LoadedSpec, PreparedSpec

__all__ = ["ProductResult", "Rendered", "generate_all", "render_product"]


@dataclass(frozen=True)
class Rendered:
    """One product's package as text, with what the user should hear about it."""

    files: dict[str, str] = field(repr=False)
    operations: int
    models: int
    warnings: tuple[str, ...]
    cached: bool = False
    staged: Path | None = None  # the formatted package on disk, ready to be renamed into place


@dataclass(frozen=True)
class ProductResult:
    key: str
    target: Path
    rendered: Rendered
    changed: bool = False
    drift: Drift | None = None


def render_product(
    config: ProductConfig,
    *,
    cache: RenderCache | None = None,
    staging: Path | None = None,
    model_worker: bool = False,
) -> Rendered:
    """The formatted files of one product's package (from the cache when nothing changed).

    When rendered, the package is laid out in `staging` (a new empty folder; a temporary one
    that is removed when not given), reported back as `Rendered.staged`. With `model_worker`
    the models are generated in a second process, beside the rest of the work (see
    `ModelWorker`).
    """
    from odido_gen.spec import needs_other_files, prepare_spec, read_spec, validate_spec

    raw = read_spec(config.spec, label=config.key)
    key = cache.key(config, raw) if cache is not None and not needs_other_files(raw) else None
    if cache is not None and key is not None and (hit := cache.get(key)) is not None:
        return Rendered(
            files=hit["files"],
            operations=hit["operations"],
            models=hit["models"],
            warnings=tuple(hit["warnings"]),
            cached=True,
        )
    with _model_worker(model_worker) as worker:
        shards: list[ModelShard] = []
        with cycle_collector_paused():  # half the time of these, on a large spec
            prepared = prepare_spec(config.spec, label=config.key, raw=raw)
            if worker is None:
                spec = validate_spec(prepared, label=config.key)
                product = build_product(spec.document, config)
            else:
                spec, product, shards = _build_for_worker(prepared, config, worker)
        product.spec_sha256 = spec.sha256
        spec_warnings = tuple(str(w) for w in spec.warnings)
        del spec, prepared  # the document and its model: memory the rendering no longer needs
        if staging is None:
            with tempfile.TemporaryDirectory(prefix="odido-gen-") as tmp:
                files = _render_files(product, shards, worker, Path(tmp))
        else:
            files = _render_files(product, shards, worker, staging)
    models_prefix = f"{product.package}/models/"
    rendered = Rendered(
        files=files,
        operations=product.operation_count,
        models=sum(1 for p in files if p.startswith(models_prefix) and p.endswith(".py")) - 1,
        warnings=spec_warnings + tuple(product.warnings),
        staged=staging,
    )
    if cache is not None and key is not None:
        cache.put(
            key,
            {
                "files": files,
                "operations": rendered.operations,
                "models": rendered.models,
                "warnings": list(rendered.warnings),
            },
        )
    return rendered


def _build_for_worker(
    prepared: PreparedSpec, config: ProductConfig, worker: ModelWorker
) -> tuple[LoadedSpec, Product, list[ModelShard]]:
    """The product, built before the spec is validated so that the worker gets its shard
    (the largest; this process does the rest) a quarter of a second sooner on a large spec.

    Validation almost never changes the document. When it does (an invalid schema keyword
    dropped), the product is built again, and the worker's shard is made here if it changed.
    When building fails, the spec is validated first: a spec error says more than what
    building an invalid document ran into.
    """
    from odido_gen.spec import validate_spec

    repairs = len(prepared.report.items)
    try:
        product = build_product(prepared.document, config)
    except Exception:
        validate_spec(prepared, label=config.key)
        raise
    shards = _shards_for_worker(product)
    worker.submit(shards[0])
    spec = validate_spec(prepared, label=config.key)
    if len(spec.warnings) != repairs:
        submitted = shards[0]
        product = build_product(spec.document, config)
        shards = _shards_for_worker(product)
        if shards[0] != submitted:
            worker.withdraw(shards[0])
    return spec, product, shards


# Rendering, formatting and checking the code of this many operations takes this process
# about as long as the model generator takes for one schema (measured on the whole Genesys
# definition: 932 operations, 1.3 s; 240 schemas a second).
OPERATIONS_PER_SCHEMA = 3


def _shards_for_worker(product: Product) -> list[ModelShard]:
    """The model shards, the worker's first: this process has the rest of the package to
    render too, so its shard is smaller by about as many schemas as that work is worth."""
    head_start = product.operation_count // OPERATIONS_PER_SCHEMA
    return model_shards(
        product.key, product.openapi_version, product.schemas, head_start=head_start
    )


@contextlib.contextmanager
def _model_worker(enabled: bool) -> Iterator[ModelWorker | None]:
    """A worker process for the models (see `ModelWorker`), ended however the block ends."""
    if not enabled:
        yield None
        return
    worker = ModelWorker()
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()


def _render_files(
    product: Product, shards: list[ModelShard], worker: ModelWorker | None, folder: Path
) -> dict[str, str]:
    """Render, format and check every file of the package, laid out in `folder` (with a
    worker: the first of `shards` comes from it, which has it already)."""
    if worker is None:
        return format_files(render_package(product), label=product.key, directory=folder)
    # Ruff treats each file alone, so files can be formatted in parts with the same result
    # as in one run: the code while the worker generates the models, then the other shards'
    # modules here while it finishes, and after the merge only what those do not cover.
    files = format_files(render_code(product), label=product.key, directory=folder)
    others = [generate_shard(shard) for shard in shards[1:]]
    prefix = f"{product.package}/models/"
    early_sources = {prefix + name: text for part in others for name, text in part.sources.items()}
    early = (
        format_files(early_sources, label=product.key, directory=folder) if early_sources else {}
    )
    models = merge_shards(shards, [worker.result(), *others])
    check_models(product, models)
    model_files = render_model_files(product, models)
    pending = {path: text for path, text in model_files.items() if early_sources.get(path) != text}
    for path in early_sources.keys() - model_files.keys():  # the merge fell back to one run
        (folder / path).unlink()
    files.update(format_files(pending, label=product.key, directory=folder))
    files.update((path, early[path]) for path in model_files.keys() - pending.keys())
    return dict(sorted(files.items()))


def _render_job(
    config: ProductConfig, cache_dir: Path | None, staging: Path | None, model_worker: bool
) -> Rendered:
    return render_product(
        config,
        cache=RenderCache(cache_dir) if cache_dir else None,
        staging=staging,
        model_worker=model_worker,
    )


def generate_all(
    products: Sequence[ProductConfig],
    output: Path,
    *,
    check: bool = False,
    cache: RenderCache | None = None,
    jobs: int | None = None,
) -> list[ProductResult]:
    """Render every product (in parallel processes when there are several), then place each.

    Each package is formatted in a staging folder beside its target and renamed into place.
    Nothing is placed until every product has rendered: one bad spec leaves all of `output`
    as it was.
    """
    cache_dir = cache.directory if cache is not None else None
    targets = [output / p.distribution for p in products]
    stagings = [None if check else stage_dir(t) for t in targets]
    try:
        capacity = jobs or os.cpu_count() or 1
        workers = min(len(products), capacity)
        # A CPU to spare for each product: its models are generated in a process of their own.
        model_worker = capacity >= 2 * len(products)
        if workers > 1:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                futures = [
                    pool.submit(_render_job, p, cache_dir, staging, model_worker)
                    for p, staging in zip(products, stagings, strict=True)
                ]
                rendered = [f.result() for f in futures]
        else:
            rendered = [
                _render_job(p, cache_dir, staging, model_worker)
                for p, staging in zip(products, stagings, strict=True)
            ]
    except BaseException:
        for staging in stagings:
            if staging is not None:
                discard(staging)
        raise

    results = []
    try:
        for config, target, staging, result in zip(
            products, targets, stagings, rendered, strict=True
        ):
            if check:
                drift = diff_tree(target, result.files)
                results.append(ProductResult(config.key, target, result, drift=drift))
                continue
            assert staging is not None
            if result.staged is not None:
                changed = install_tree(target, staging, result.files)
            else:  # from the cache: the staging folder was never filled
                discard(staging)
                changed = replace_tree(target, result.files)
            results.append(ProductResult(config.key, target, result, changed=changed))
    finally:
        # A product that failed to go in place must not leave the others' staging behind.
        for staging in stagings:
            if staging is not None and staging.exists():
                discard(staging)
    return results
