"""datamodel-code-generator in a process of its own, beside the rest of a product's rendering.

The model generator is the slowest step of a cold generation and needs only the schemas. The
worker is a fresh interpreter (not a fork: nothing of the parent's memory is copied, and no
`__main__` is re-imported as multiprocessing's spawn would), started before the spec is read.
It warms the generator up (imports and a first run, about half a second) while the parent
loads the spec, then generates the models while the parent renders, formats and checks the
rest. Request and answer are pickles over its stdin and stdout.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
import threading
from typing import ClassVar

from odido_gen._errors import RenderError
from odido_gen.render._models import ModelModules, ModelShard, generate_shard

__all__ = ["ModelWorker"]


class ModelWorker:
    """One worker process for one product's models: `start`, `submit` once, then `result`."""

    # The interpreter to run the worker with (None: this one).
    interpreter: ClassVar[str | None] = None

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._sender: threading.Thread | None = None
        self._answer: bytes = b""
        self._request: ModelShard | None = None

    def start(self) -> None:
        # -P: not the current folder first on sys.path, so nothing there shadows odido_gen.
        try:
            self._process = subprocess.Popen(
                [self.interpreter or sys.executable, "-P", "-m", __name__],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,  # a failure is reproduced in this process: result()
            )
        except OSError:  # no interpreter to run: the models are generated in this process
            self._process = None

    def submit(self, shard: ModelShard) -> None:
        self._request = shard
        process = self._process
        if process is None:
            return
        payload = pickle.dumps(self._request, protocol=pickle.HIGHEST_PROTOCOL)

        def exchange() -> None:
            # In a thread: the worker reads its request only once warmed up, and the pipe
            # holds far less than the schemas of a large spec.
            try:
                self._answer, _ = process.communicate(payload)
            except OSError:  # the worker is gone; result() generates here instead
                self._answer = b""

        self._sender = threading.Thread(target=exchange, name="odido-gen-models", daemon=True)
        self._sender.start()

    def result(self) -> ModelModules:
        """The models, from the worker; generated in this process when the worker failed."""
        assert self._request is not None, "submit() first"
        if self._sender is not None:
            self._sender.join()
        answer: object = None
        if self._process is not None and self._process.returncode == 0 and self._answer:
            answer = pickle.loads(self._answer)
        self.stop()
        if isinstance(answer, tuple) and len(answer) == 2:
            kind, value = answer
            if kind == "models" and isinstance(value, ModelModules):
                return value
            if kind == "error" and isinstance(value, str):
                raise RenderError(value)
        # The worker could not run (killed, out of memory, no interpreter): same work, here.
        return generate_shard(self._request)

    def withdraw(self, shard: ModelShard) -> None:
        """Make `result` generate `shard` in this process: the one submitted is out of date."""
        self.stop()
        self._process = self._sender = None
        self._request = shard

    def stop(self) -> None:
        """End the worker now (it may be generating, after a failure elsewhere)."""
        process = self._process
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        if self._sender is not None:
            self._sender.join()
        if process is not None:
            for pipe in (process.stdin, process.stdout):
                if pipe is not None:
                    pipe.close()


def _serve() -> None:
    from odido_gen.render._models import warm_up

    warm_up()
    shard = pickle.load(sys.stdin.buffer)
    answer: tuple[str, object]
    try:
        answer = ("models", generate_shard(shard))
    except RenderError as exc:  # the spec cannot be modelled: the parent reports it
        answer = ("error", str(exc))
    pickle.dump(answer, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.buffer.flush()


if __name__ == "__main__":
    _serve()
