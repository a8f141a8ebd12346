"""``telewire serve app:router --redis URL --role ingress|pump|worker``: run one role.

The same ``Router`` that runs in one process runs here unchanged, spread over processes
and machines that share one Redis (see docs/how-to/distributed.md). Every option also
comes from the environment (``TELEWIRE_REDIS``, ``TELEWIRE_ROLE``...), so one container
image serves all roles. SIGTERM drains: the ingress finishes its requests, the pump its
batch, a worker its updates in hand, and each gives its leases back at once.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import logging
import os
import signal
import sys
from typing import Any

from telewire.cli.arguments import port
from telewire.cli.connect import UsageError, add_connection_arguments, settings_of

ROLES = ("ingress", "pump", "worker")


def _env(name: str, default: Any = None) -> Any:
    return os.environ.get(f"TELEWIRE_{name}", default)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "target", metavar="MODULE:ROUTER", help="where the Router is, e.g. app:router"
    )
    parser.add_argument("--redis", default=_env("REDIS"), help="Redis URL (env TELEWIRE_REDIS)")
    parser.add_argument("--role", choices=ROLES, default=_env("ROLE"),
                        help="what this process does (env TELEWIRE_ROLE)")  # fmt: skip
    parser.add_argument("--partitions", type=int, default=int(_env("PARTITIONS", 16)),
                        help="partition streams, fixed once used (default 16; env "
                        "TELEWIRE_PARTITIONS)")  # fmt: skip
    parser.add_argument("--host", default=_env("HOST", "127.0.0.1"),
                        help="ingress: address to listen on (env TELEWIRE_HOST)")  # fmt: skip
    parser.add_argument("--port", type=port, default=int(_env("PORT", 8080)),
                        help="ingress: port (default 8080; env TELEWIRE_PORT)")  # fmt: skip
    parser.add_argument("--secret", default=_env("WEBHOOK_SECRET"),
                        help="ingress: the webhook's secret token "
                        "(env TELEWIRE_WEBHOOK_SECRET)")  # fmt: skip
    parser.add_argument("--replicas", type=int, default=int(_env("REPLICAS", 0)),
                        help="ingress: answer Telegram once this many Redis replicas have "
                        "the update (default 0)")  # fmt: skip
    window = float(_env("DEDUP_WINDOW", 3600))
    parser.add_argument("--dedup-window", type=float, default=window,
                        help="ingress and pump: seconds an update_id is remembered to drop "
                        "repeats (default 3600; ~100 bytes of Redis each)")  # fmt: skip
    parser.add_argument("--metrics-port", type=port, default=_env("METRICS_PORT"),
                        help="serve /metrics and /healthz on this port (env "
                        "TELEWIRE_METRICS_PORT; default: off)")  # fmt: skip
    parser.add_argument("--lease", type=float, default=float(_env("LEASE", 5.0)),
                        help="seconds before a dead pump's or worker's share moves "
                        "on (default 5)")  # fmt: skip
    parser.add_argument("--max-in-flight", type=int, default=int(_env("MAX_IN_FLIGHT", 256)),
                        help="worker: updates read but not yet acknowledged, at most (the "
                        "most a crash repeats; default 256)")  # fmt: skip
    parser.add_argument("--jobs", metavar="MODULE:SCHEDULER", default=_env("JOBS"),
                        help="worker: run this Scheduler's jobs too, as run_polling(jobs=...) "
                        "does; each job runs once across the workers "
                        "(env TELEWIRE_JOBS)")  # fmt: skip
    parser.add_argument("--no-flood-limit", action="store_true",
                        default=_env("FLOOD_LIMIT", "on") == "off",
                        help="worker: do not share Telegram's flood limits in Redis (for a "
                        "local server without them; env TELEWIRE_FLOOD_LIMIT=off)")  # fmt: skip
    add_connection_arguments(parser, chat=False)


def load_router(target: str, what: str = "ROUTER") -> Any:
    """The object ``module:name`` names, importing from the current folder too."""
    module_name, _, attribute = target.partition(":")
    if not module_name or not attribute:
        raise UsageError(f"{target!r} is not MODULE:{what} (e.g. app:{what.lower()})")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise UsageError(f"cannot import {module_name!r} ({exc}); run from its folder") from None
    router = getattr(module, attribute, None)
    if router is None:
        raise UsageError(f"{module_name!r} has no {attribute!r}")
    return router


def run(args: argparse.Namespace) -> int:
    if args.role is None:
        raise UsageError("say which role: --role ingress, pump or worker (or TELEWIRE_ROLE)")
    if args.role == "ingress" and not args.secret:
        raise UsageError(
            "the ingress needs the webhook's secret: --secret or TELEWIRE_WEBHOOK_SECRET"
        )
    found = settings_of(args, need_chat=False)
    router = load_router(args.target) if args.role == "worker" else None
    jobs = _scheduler(args.jobs) if args.role == "worker" and args.jobs else None
    from telewire.core.token import Token
    from telewire.distributed.layout import Layout
    from telewire.distributed.redis_client import connect

    layout = Layout.for_bot(Token(found.token).bot_id, args.partitions)
    try:
        client = connect(args.redis)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args, found, (router, jobs), layout, client))
    return 0


def _scheduler(target: str) -> Any:
    """The Scheduler ``--jobs`` names: every worker runs it; its storage decides who runs
    each job (a lease in the job's record), so a job runs once however many workers."""
    from telewire.jobs import Scheduler

    jobs = load_router(target, "SCHEDULER")
    if not isinstance(jobs, Scheduler):
        raise UsageError(f"--jobs {target!r} is a {type(jobs).__name__}, not a Scheduler")
    return jobs


async def _serve(
    args: argparse.Namespace, found: Any, handlers: tuple[Any, Any], layout: Any, client: Any
) -> None:
    import redis.exceptions

    from telewire.distributed.metrics import Metrics
    from telewire.distributed.redis_client import agree_on_partitions, describe

    try:
        await agree_on_partitions(client, layout)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    except (redis.exceptions.RedisError, OSError) as exc:
        raise UsageError(
            f"cannot reach Redis at {describe(args.redis or _env('REDIS'))}: {exc}"
        ) from None
    metrics = Metrics()
    server = None
    if args.metrics_port is not None:
        server = await metrics.serve(args.host, int(args.metrics_port))
    print(f"telewire serve: {args.role} for {layout!r}", file=sys.stderr, flush=True)
    try:
        if args.role == "ingress":
            await _ingress(args, client, layout, metrics)
        else:
            await _pump_or_worker(args, found, handlers, client, layout, metrics)
    finally:
        if server is not None:
            server.close()
        await client.aclose()


async def _ingress(args: argparse.Namespace, client: Any, layout: Any, metrics: Any) -> None:
    try:
        import uvicorn
    except ImportError:
        raise UsageError(
            "the ingress role needs uvicorn: pip install 'telewire[distributed]'"
        ) from None
    from telewire.distributed.ingress import IngressApp

    app = IngressApp(client, layout, secret_token=args.secret, replicas=args.replicas,
                     dedup_window=args.dedup_window, metrics=metrics)  # fmt: skip
    metrics.health = lambda: "Redis refuses updates" if app._refusing else None
    config = uvicorn.Config(app, host=args.host, port=args.port, log_level="warning",
                            lifespan="off", timeout_graceful_shutdown=10)  # fmt: skip
    await uvicorn.Server(config).serve()


async def _pump_or_worker(
    args: argparse.Namespace,
    found: Any,
    handlers: tuple[Any, Any],
    client: Any,
    layout: Any,
    metrics: Any,
) -> None:
    from telewire.client.async_bot import AsyncBot

    router, jobs = handlers
    role: Any
    if args.role == "pump":
        from telewire.distributed.pump import Pump

        bot = AsyncBot(found.token, base_url=found.api_url)
        role = Pump(client, layout, bot, lease=args.lease, metrics=metrics,
                    dedup_window=args.dedup_window)  # fmt: skip
        metrics.health = lambda: role.problem
    else:
        from telewire.distributed.flood import LimitedBot, SharedFloodLimiter
        from telewire.distributed.worker import Worker

        if args.no_flood_limit:
            bot = AsyncBot(found.token, base_url=found.api_url)
        else:
            limiter = SharedFloodLimiter(client, layout, metrics=metrics)
            bot = LimitedBot(limiter, found.token, base_url=found.api_url)
        role = Worker(client, layout, router, bot, lease=args.lease, metrics=metrics,
                      max_in_flight=args.max_in_flight, freeze_gc=True)  # fmt: skip
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, role.stop)
    try:
        async with jobs.beside(bot) if jobs is not None else contextlib.nullcontext():
            await role.run()
    finally:
        await bot.close()
