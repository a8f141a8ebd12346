"""Run a bot process under cProfile: ``profiled.py ROLE (-m MODULE | SCRIPT) ARGS...``.

benchmarks/distributed.py starts its processes through this when ``BENCH_PROFILE`` names
a directory; the stats go to ``<dir>/<role>-<pid>.prof`` when the process ends (it is
stopped with SIGTERM, which every role handles by draining). Read them with
``python -m pstats``.
"""

import cProfile
import os
import runpy
import sys

role, rest = sys.argv[1], sys.argv[2:]
path = os.path.join(os.environ["BENCH_PROFILE"], f"{role}-{os.getpid()}.prof")
profiler = cProfile.Profile()
profiler.enable()
try:
    if rest[0] == "-m":
        sys.argv = [rest[1], *rest[2:]]
        runpy.run_module(rest[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = rest
        runpy.run_path(rest[0], run_name="__main__")
except SystemExit:
    pass
finally:
    profiler.disable()
    profiler.dump_stats(path)
