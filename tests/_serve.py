"""The app served on loopback, for the browser tests and the benchmarks: one command line, one
health wait, one stop, and nginx in front of replicas as ``deploy/`` configures it."""

from __future__ import annotations

import os
import pwd
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NGINX = "/usr/sbin/nginx"
TEMPLATE = ROOT / "deploy" / "nginx" / "descent-lab.conf.template"
PLACEHOLDERS = ("${DESCENT_LAB_LISTEN}", "${DESCENT_LAB_UPSTREAM}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def streamlit(
    port: int, log, *, warm: bool = True, app: Path = ROOT / "app.py", cwd: Path = ROOT
) -> subprocess.Popen:
    """``streamlit run app.py`` on 127.0.0.1:``port``; its output goes to the file ``log`` (a
    pipe nobody reads would stall the server once full; or ``subprocess.DEVNULL``).
    ``warm=False``: no warm-up at start (``webapp/warm.py``), so the first visitor's run is
    a cold one. ``app`` and ``cwd``: another app (the benchmarks' floor)."""
    cmd = [sys.executable, "-m", "streamlit", "run", str(app)]
    cmd += ["--server.port", str(port), "--server.address", "127.0.0.1"]
    cmd += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
    cmd += ["--server.fileWatcherType", "none"]
    env = os.environ | ({} if warm else {"DESCENT_LAB_WARM_UP": "0"})
    return subprocess.Popen(cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, env=env)


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


def nginx_site(listen: str, servers: list[str]) -> str:
    """The deploy template with its two placeholders filled, as envsubst would."""
    text = TEMPLATE.read_text()
    for placeholder in PLACEHOLDERS:
        if placeholder not in text:
            raise RuntimeError(f"{TEMPLATE} lost its {placeholder} placeholder")
    upstream = " ".join(f"server {s};" for s in servers)
    return text.replace(PLACEHOLDERS[0], listen).replace(PLACEHOLDERS[1], upstream)


def start_nginx(tmp: Path, listen: str, servers: list[str], *, route_log: bool = False):
    """Debian's nginx on ``listen`` in front of ``servers``, with the deploy template's site and
    everything else (pid, logs, temp files) under ``tmp``; ``route_log``: an access log of
    status, upstream, routing cookie and request. Checked with ``nginx -t`` first."""
    site = tmp / "descent-lab.conf"
    site.write_text(nginx_site(listen, servers))
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    temps = "\n".join(
        f"    {kind}_temp_path {tmp / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    access = "access_log off;"
    if route_log:
        access = (
            'log_format route \'$status $upstream_addr "$descent_lab_route" "$request"\';\n'
            f"    access_log {tmp / 'access.log'} route;"
        )
    conf = tmp / "nginx.conf"
    conf.write_text(
        f"""daemon off;
{user}
worker_processes 1;
pid {tmp / "nginx.pid"};
error_log {tmp / "error.log"} warn;
events {{ worker_connections 1024; }}
http {{
    {access}
{temps}
    include {site};
}}
"""
    )
    args = ["-c", str(conf), "-p", str(tmp)]
    check = subprocess.run([NGINX, "-t", *args], capture_output=True, text=True)
    if check.returncode:
        raise RuntimeError(f"nginx -t refused {conf}: {check.stderr}")
    # Its errors go to error.log in tmp.
    return subprocess.Popen([NGINX, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
