"""How long a light session waits behind a heavy one in the combiner (webapp/combine.py).

One thread asks for a heavy page's runs — two 1000-step Newton runs on Rosenbrock, which
share no loop — and, once that computation has started, another asks for a light page's runs
(one 100-step SGD run on the bowl). The light caller's delay is its latency minus what its
runs take alone. **Before**: one queue for everyone (``Combiner(_run_each)``, as the
combiner was: the light caller waits for the heavy computation to end). **After**: the
server's own combiner (``webapp.runs._together``: heavy callers in a lane of their own).
Nothing is cached: the combiners are called directly.

    python bench/bench_combine.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from surfaces import get_surface
from webapp import runs
from webapp.combine import Combiner

VALLEY, BOWL = get_surface("rosenbrock"), get_surface("bowl")


def heavy_items(k: int) -> list:
    start = -1.2 + 0.01 * k
    return [
        (VALLEY, f"heavy{k}-{i}", {"optimizer": "newton", "start": (start, y), "steps": 1000})
        for i, y in enumerate((1.5, 1.0))
    ]


def light_items(k: int) -> list:
    args = {"optimizer": "sgd", "start": (1.0 - 0.001 * k, 0.5), "steps": 100, "lr": 0.05}
    return [(BOWL, f"light{k}", args)]


def timed(call, items) -> float:
    start = time.perf_counter()
    call(items)
    return time.perf_counter() - start


def delays(combiner, repeats: int) -> tuple[list[float], list[float], list[float]]:
    """The light caller's delay behind a heavy one, its time alone, and the heavy one's time."""
    out, alone, heavy_times = [], [], []
    for k in range(repeats):
        alone.append(timed(combiner, light_items(10_000 + k)))
        heavy: dict = {}

        def ask_heavy(k=k, heavy=heavy):
            heavy["s"] = timed(combiner, heavy_items(k))

        thread = threading.Thread(target=ask_heavy)
        thread.start()
        time.sleep(0.05)  # the heavy computation has started
        out.append(timed(combiner, light_items(k)) - alone[-1])
        thread.join()
        heavy_times.append(heavy["s"])
    return out, alone, heavy_times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    print(f"CPUs: {os.cpu_count()}  load average: {os.getloadavg()[0]:.2f}")
    cases = {"before (one queue)": Combiner(runs._run_each), "after (lanes)": runs._together}
    for name, combiner in cases.items():
        d, alone, heavy = delays(combiner, args.repeats)
        print(
            f"{name:>18}: light caller's delay median {1000 * statistics.median(d):6.0f} ms, "
            f"max {1000 * max(d):6.0f} ms (alone {1000 * statistics.median(alone):.0f} ms); "
            f"heavy caller {1000 * statistics.median(heavy):.0f} ms"
        )


if __name__ == "__main__":
    main()
