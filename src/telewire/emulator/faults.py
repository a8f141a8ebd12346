"""Fault injection: make some API requests fail, by probability, to test resilience.

A spec is ``name=probability`` pairs separated by commas, for example
``429=0.1,500=0.05,drop=0.02,latency=0.3,latency_ms=150,retry_after=2``:

* ``429`` answers Too Many Requests with ``retry_after`` (default 1 s);
* ``500`` / ``502`` answer Internal Server Error / Bad Gateway;
* ``drop`` closes the connection without an answer (the call is not carried out);
* ``latency`` delays the answer by ``latency_ms`` (default 200 ms), after the call ran;
* ``lost`` carries the call out, then breaks the connection partway through the reply
  (the client knows it sent the request, but not whether it worked);
* ``gateway`` carries the call out, then answers 502 Bad Gateway, as a proxy in front of
  Telegram does when the Bot API server answered too late;
* ``seed`` makes the random choices repeatable.
``429``, ``500``, ``502`` and ``drop`` strike before the method runs, so the failed call
never had an effect; ``latency``, ``lost`` and ``gateway`` strike after it ran, so a client
that repeats a non-repeatable call there makes a duplicate.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

KINDS = ("429", "500", "502", "drop", "latency", "lost", "gateway")
AFTER_THE_CALL = ("lost", "gateway")  # strike once the method took effect


class InvalidFaults(ValueError):
    pass


@dataclass
class Faults:
    chances: dict[str, float] = field(default_factory=dict)
    latency_ms: float = 200.0
    retry_after: int = 1
    rng: random.Random = field(default_factory=random.Random, repr=False)

    @classmethod
    def parse(cls, spec: str | dict[str, object] | None) -> Faults:
        faults = cls()
        faults.update(spec)
        return faults

    def update(self, spec: str | dict[str, object] | None) -> None:
        if not spec:
            self.chances = {}
            return
        pairs = (
            spec.items()
            if isinstance(spec, dict)
            else (
                item.split("=", 1) if "=" in item else (item, "")
                for item in str(spec).replace(" ", "").split(",")
                if item
            )
        )
        chances: dict[str, float] = {}
        for name, raw in pairs:
            try:
                value = float(str(raw))
            except ValueError:
                value = math.nan
            if not math.isfinite(value) or value < 0:
                raise InvalidFaults(f"fault {name!r} needs a number, e.g. {name}=0.1")
            if name == "latency_ms":
                self.latency_ms = value
            elif name == "retry_after":
                self.retry_after = max(1, int(value))
            elif name == "seed":
                self.rng.seed(int(value))
            elif name in KINDS:
                if not 0.0 <= value <= 1.0:
                    raise InvalidFaults(f"fault {name!r}: probability must be within 0..1")
                chances[name] = value
            else:
                raise InvalidFaults(
                    f"unknown fault {name!r}; known: {', '.join(KINDS)}, "
                    "latency_ms, retry_after, seed"
                )
        self.chances = chances

    def pick(self) -> tuple[str | None, float]:
        """(failure to inject or None, seconds of latency to add first)."""
        if not self.chances:
            return None, 0.0
        delay = (
            self.latency_ms / 1000 if self.rng.random() < self.chances.get("latency", 0) else 0.0
        )
        for kind in ("drop", "429", "500", "502", "lost", "gateway"):
            if self.rng.random() < self.chances.get(kind, 0):
                return kind, delay
        return None, delay

    def describe(self) -> dict[str, object]:
        return {**self.chances, "latency_ms": self.latency_ms, "retry_after": self.retry_after}
