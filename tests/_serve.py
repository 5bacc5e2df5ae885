"""The app served on loopback for browser tests: one command line, one health wait, one stop."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def streamlit(port: int, log, *, warm: bool = True) -> subprocess.Popen:
    """``streamlit run app.py`` on 127.0.0.1:``port``; its output goes to the file ``log`` (a
    pipe nobody reads would stall the server once full). ``warm=False``: no warm-up at start
    (``app_pages/_warm.py``), so the first visitor's run is a cold one."""
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py")]
    cmd += ["--server.port", str(port), "--server.address", "127.0.0.1"]
    cmd += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
    cmd += ["--server.fileWatcherType", "none"]
    env = os.environ | ({} if warm else {"DESCENT_LAB_WARM_UP": "0"})
    return subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env)


def wait_healthy(url: str, procs, log=None, seconds: float = 60) -> str:
    """Poll ``url``'s health check until it answers; fail with the log if a process exits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return url
        except OSError:
            time.sleep(0.25)
        if any(p.poll() is not None for p in procs):
            text = ""
            if log is not None:
                log.seek(0)
                text = log.read().decode(errors="replace")[-3000:]
            raise RuntimeError(f"a server exited before {url} was healthy:\n{text}")
    raise RuntimeError(f"{url} did not become healthy in {seconds:.0f} s")


def stop(procs) -> None:
    """Terminate, then kill what does not stop."""
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=5)
