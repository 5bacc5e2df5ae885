"""Load benchmark: many concurrent Streamlit sessions, one replica against two behind nginx.

No browser: each session is a websocket to ``/_stcore/stream`` speaking Streamlit's own
protocol, as the frontend does — a ``BackMsg`` asking for a rerun of the Race page with a query
string (what a shared link or a slider change sends), then ``ForwardMsg``s until the
script-finished one. The latency of a rerun is the time from sending the request to that
message; every rerun must finish without an exception element.

Cases, each run against one replica (its own port) and against two replicas behind nginx
(deploy/nginx/descent-lab.conf.template, filled in as the README says):

* N = 1, 5, 20, 50 concurrent sessions, each doing a few reruns with a query no session has
  sent before (start point and steps vary): every rerun computes its four runs (nothing cached);
* "same link": N sessions all sending one query, as a class opening one lesson link: the first
  rerun on each replica computes, the rest hit the replica's shared cache.

The replicas and nginx are started here on free loopback ports and stopped at the end; every
wait is bounded. The bench client shares the machine's cores with the servers, so the
figures are for this machine at its load, printed with them.

A soak (``--soak N``) instead: one replica, one session, N reruns of the Race with all 14
optimizers × 1000 steps, each from a start no rerun has sent before (14 new runs each, about
1 MB of trajectories), and the server's resident memory (RSS) printed every 100 reruns. With
the run cache bounded in bytes (``DESCENT_LAB_CACHE_MB``, ``--budget-mb`` here) it grows
until the cache is full, then stays flat.

    python bench/bench_load.py            # N = 1, 5, 20, 50; two reruns per session
    python bench/bench_load.py --quick    # N = 1, 5, 20
    python bench/bench_load.py --soak 1000 [--budget-mb 500]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from optim_core import OPTIMIZERS  # noqa: E402

# The same server, health wait, stop and nginx set-up as the browser tests.
from tests._serve import NGINX, free_port, start_nginx, stop, streamlit, wait_healthy  # noqa: E402
from webapp import pages  # noqa: E402

PAGE = pages.RACE.url_path
RERUN_TIMEOUT = 180.0  # seconds one rerun may take before it counts as failed
CASE_TIMEOUT = 600.0  # seconds one case may take in all

_unique = itertools.count()
_SALT = random.Random().uniform(0, 0.5)  # a fresh run of the bench never meets an old cache


def distinct_query() -> str:
    """A Race link no session has sent before: its four runs are computed, not cached."""
    k = next(_unique)
    x0 = -2.5 + _SALT + 0.0137 * (k % 97)
    y0 = 2.2 - _SALT - 0.0113 * (k // 97)
    return urlencode({"steps": 200 + 10 * (k % 21), "x0": f"{x0:.4f}", "y0": f"{y0:.4f}"})


SAME_QUERY = urlencode({"steps": 300, "x0": f"{-1.7 + _SALT:.4f}", "y0": "1.3"})


def soak_query(k: int) -> str:
    """The Race with every optimizer × 1000 steps, from the k-th of distinct starts."""
    x0 = -2.5 + _SALT + 0.0037 * (k % 997)
    y0 = 2.2 - _SALT - 0.0029 * (k // 997)
    return urlencode(
        {"race_opts": ",".join(OPTIMIZERS), "steps": 1000, "x0": f"{x0:.4f}", "y0": f"{y0:.4f}"}
    )


# ---------------------------------------------------------------------------- sessions


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


async def rerun(ws, query: str) -> None:
    """Ask for a rerun of the Race with ``query`` and read until the script has finished."""
    msg = BackMsg()
    msg.rerun_script.query_string = query
    msg.rerun_script.page_name = PAGE
    await ws.send(msg.SerializeToString())
    while True:
        fwd = ForwardMsg()
        fwd.ParseFromString(await ws.recv())
        kind = fwd.WhichOneof("type")
        if kind == "delta" and fwd.delta.new_element.WhichOneof("type") == "exception":
            raise RuntimeError(f"exception in the page: {fwd.delta.new_element.exception.type}")
        if kind == "page_not_found":
            raise RuntimeError(f"page not found: {PAGE}")
        if kind == "script_finished":
            if fwd.script_finished != ForwardMsg.FINISHED_SUCCESSFULLY:
                raise RuntimeError(f"script finished with status {fwd.script_finished}")
            return


async def session(url: str, queries: list[str], out: Outcome) -> None:
    """One visitor: a websocket, then one rerun per query, one after the other."""
    try:
        async with connect(
            f"{url}/_stcore/stream", subprotocols=["streamlit"], max_size=None, open_timeout=60
        ) as ws:
            for query in queries:
                start = time.perf_counter()
                await asyncio.wait_for(rerun(ws, query), RERUN_TIMEOUT)
                out.latencies.append(time.perf_counter() - start)
    except Exception as exc:  # a failed session is counted, and the case goes on
        out.errors.append(f"{type(exc).__name__}: {exc}"[:200])


async def run_case(url: str, sessions: int, reruns: int, same: bool) -> tuple[Outcome, float]:
    out = Outcome()
    plans = [
        [SAME_QUERY if same else distinct_query() for _ in range(reruns)] for _ in range(sessions)
    ]
    start = time.perf_counter()
    await asyncio.wait_for(
        asyncio.gather(*(session(url, plan, out) for plan in plans)), CASE_TIMEOUT
    )
    return out, time.perf_counter() - start


# ---------------------------------------------------------------------------- servers


# ---------------------------------------------------------------------------- report


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0 ≤ q ≤ 1) by linear interpolation; NaN when there is none."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def rss_mb(pid: int) -> float:
    """The resident memory of process ``pid``, in MB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def soak_session(url: str, reruns: int, every: int, pid: int) -> list[tuple]:
    """One session's ``reruns`` distinct reruns; a row (reruns, RSS, seconds) every ``every``."""
    rows = [(0, rss_mb(pid), 0.0)]
    start = time.perf_counter()
    async with connect(
        f"{url}/_stcore/stream", subprotocols=["streamlit"], max_size=None, open_timeout=60
    ) as ws:
        for k in range(1, reruns + 1):
            await asyncio.wait_for(rerun(ws, soak_query(k)), RERUN_TIMEOUT)
            if k % every == 0 or k == reruns:
                rows.append((k, rss_mb(pid), time.perf_counter() - start))
                print(f"  {k:5d} reruns: RSS {rows[-1][1]:6.0f} MB ({rows[-1][2]:5.0f} s)")
    return rows


def soak(reruns: int, budget_mb: float | None) -> None:
    """The soak: one replica, ``reruns`` distinct 14 × 1000 Race reruns, RSS every 100."""
    if budget_mb is not None:
        os.environ["DESCENT_LAB_CACHE_MB"] = f"{budget_mb:g}"  # the server inherits it
    budget = os.environ.get("DESCENT_LAB_CACHE_MB", "500 (default)")
    print(f"CPUs: {os.cpu_count()}  load: {load()}  run cache budget: {budget} MB")
    tmp = Path(tempfile.mkdtemp(prefix="bench_soak_"))
    procs: list[subprocess.Popen] = []
    try:
        port = free_port()
        procs.append(streamlit(port, (tmp / "replica.log").open("wb")))
        wait_healthy(f"http://127.0.0.1:{port}", procs)
        rows = asyncio.run(soak_session(f"ws://127.0.0.1:{port}", reruns, 100, procs[0].pid))
    finally:
        stop(procs)
    shutil.rmtree(tmp, ignore_errors=True)
    print(f"\nSoak: Race, {len(OPTIMIZERS)} optimizers × 1000 steps, distinct starts; "
          f"run cache budget {budget} MB; load at end: {load()}\n")  # fmt: skip
    print("| reruns | RSS MB | seconds |")
    print("|---:|---:|---:|")
    for k, rss, seconds in rows:
        print(f"| {k} | {rss:.0f} | {seconds:.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="N = 1, 5, 20 only")
    parser.add_argument(
        "--soak", type=int, nargs="?", const=1000, metavar="N",
        help="the soak instead: N distinct 14 × 1000 Race reruns (1000), RSS every 100",
    )  # fmt: skip
    parser.add_argument("--budget-mb", type=float, help="the soak's DESCENT_LAB_CACHE_MB")
    args = parser.parse_args()
    if args.soak is not None:
        soak(args.soak, args.budget_mb)
        return
    counts = (1, 5, 20) if args.quick else (1, 5, 20, 50)
    reruns = 2
    if not Path(NGINX).exists():
        sys.exit(f"{NGINX} is missing: apt-get install nginx-light")

    print(f"CPUs: {os.cpu_count()}  load average (1, 5, 15 min) at start: {load()}")
    tmp = Path(tempfile.mkdtemp(prefix="bench_load_"))
    procs: list[subprocess.Popen] = []
    try:
        ports = [free_port(), free_port()]
        procs += [streamlit(p, (tmp / f"replica{i}.log").open("wb")) for i, p in enumerate(ports)]
        replicas = [f"127.0.0.1:{p}" for p in ports]
        listen = f"127.0.0.1:{free_port()}"
        procs.insert(0, start_nginx(tmp, listen, replicas))
        for r in replicas:
            wait_healthy(f"http://{r}", procs)
        wait_healthy(f"http://{listen}", procs)
        # Each replica warmed itself at start; one rerun each checks that it serves the Race.
        for r in replicas:
            out, _ = asyncio.run(run_case(f"ws://{r}", 1, 1, same=False))
            if out.errors:
                sys.exit(f"warm-up on {r} failed: {out.errors[0]}\n(logs in {tmp})")

        targets = {"1 replica": f"ws://{replicas[0]}", "2 + nginx": f"ws://{listen}"}
        cases = [(n, False) for n in counts] + [(counts[-1], True)]
        rows = []
        for n, same in cases:
            for name, url in targets.items():
                out, wall = asyncio.run(run_case(url, n, reruns, same))
                lat = sorted(out.latencies)
                rows.append(
                    (
                        f"{n} {'same link' if same else 'distinct'}",
                        name,
                        len(lat),
                        1000 * pct(lat, 0.5),
                        1000 * pct(lat, 0.95),
                        len(lat) / wall,
                        len(out.errors),
                        load().split()[0],
                    )
                )
                r = rows[-1]
                print(
                    f"  {r[0]:>13} {r[1]:>9}: {r[2]:3d} reruns, median {r[3]:6.0f} ms, "
                    f"p95 {r[4]:6.0f} ms, {r[5]:5.2f} reruns/s, {r[6]} failed (load {r[7]})",
                    flush=True,
                )
                for e in out.errors[:3]:
                    print(f"      {e}")
    finally:
        stop(procs)
    shutil.rmtree(tmp, ignore_errors=True)

    print(f"\nRace reruns (4 optimizers) per session: {reruns}; CPUs: {os.cpu_count()}; "
          f"load average at end: {load()}\n")  # fmt: skip
    print("| sessions | servers | reruns | median ms | p95 ms | reruns/s | failed | load 1 min |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for case, name, count, med, p95, rate, failed, ld in rows:
        print(
            f"| {case} | {name} | {count} | {med:.0f} | {p95:.0f} | {rate:.2f} | {failed} | {ld} |"
        )


if __name__ == "__main__":
    main()
