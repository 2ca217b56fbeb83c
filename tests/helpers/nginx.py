"""The shipped nginx configuration (deploy/nginx/petition.conf), run for real by Debian's nginx in
front of a test's gunicorn: only its ports and folders are changed, the rest is as shipped."""

import os
import shutil
import subprocess
import time
from pathlib import Path

import requests

from tests.conftest import free_port, service_missing

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "deploy" / "nginx" / "petition.conf"
# What an operator changes, and what a test puts there instead (see the CHANGE marks).
PLACES = {
    "listen 80;": "listen 127.0.0.1:{port};",
    "listen [::]:80;": "",
    "server 127.0.0.1:8000;": "server 127.0.0.1:{app_port};",
    "/srv/petition/static/": f"{ROOT / 'static'}/",
    "/var/cache/nginx/petition": "{folder}/cache",
}


def nginx_program() -> str:
    """Debian's nginx, which is in /usr/sbin (not on a user's PATH)."""
    program = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    if program is None:
        service_missing("nginx (Debian: apt-get install nginx)")
    assert program is not None
    return program


def render(folder: Path, port: int, app_port: int, changes: dict[str, str] | None = None) -> Path:
    """The shipped site file with a test's ports and folders, inside a main file of its own.

    `changes` replaces more of the file (the bench lifts the per-address POST wall, since all
    its clients share one address) and `timing.log` records each request's time.
    """
    site = SHIPPED.read_text()
    places = {shipped: local.format(port=port, app_port=app_port, folder=folder)
              for shipped, local in PLACES.items()} | (changes or {})  # fmt: skip
    for shipped, local in places.items():
        assert shipped in site, f"{shipped!r} is no longer in {SHIPPED.name}: update the test"
        site = site.replace(shipped, local)
    (folder / "petition.conf").write_text(site)
    # Debian's own main file runs a worker per core, 768 connections each; so does this one.
    # As root, nginx's workers would run as nobody, who cannot enter a test's private folder.
    user = "user root;" if os.geteuid() == 0 else ""
    main = folder / "nginx.conf"
    main.write_text(
        f"""{user}
worker_processes auto;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 768; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    log_format timing '$request_method $uri $status $request_time $upstream_cache_status';
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/petition.conf;
}}
"""
    )
    return main


def check(folder: Path) -> subprocess.CompletedProcess[str]:
    """`nginx -t` on the shipped file, as `make deploy-check` runs it."""
    main = render(folder, free_port(), free_port())
    command = [nginx_program(), "-t", "-p", str(folder), "-c", str(main)]
    return subprocess.run(command, capture_output=True, text=True, timeout=30)


class Nginx:
    """nginx with the shipped site file, on a port chosen now, in front of the app at the port
    `start` is given (the app's PUBLIC_URL is nginx's address, so it is known first)."""

    def __init__(self, folder: Path, changes: dict[str, str] | None = None) -> None:
        self.folder = folder
        self.changes = changes
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, app_port: int) -> None:
        main = render(self.folder, self.port, app_port, self.changes)
        command = [nginx_program(), "-p", str(self.folder), "-c", str(main)]
        self.process = subprocess.Popen([*command, "-g", "daemon off;"])
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                requests.get(f"{self.url}/healthz", timeout=2)
                return
            except requests.ConnectionError:
                assert self.process.poll() is None, (self.folder / "error.log").read_text()
                time.sleep(0.05)
        raise AssertionError("nginx did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
