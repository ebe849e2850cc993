"""The production shape on one machine: N Rasa replicas behind nginx, sharing PostgreSQL and Redis.

`python -m bot run-production --replicas N` starts it on loopback; the tests and the topology
benchmark start the same `Topology`, so what is measured is what an operator runs. Every replica
reads deploy/endpoints.production.yml: the SQL tracker store on DATABASE_URL and the Redis lock
store, which serialises one conversation's messages across replicas. The action server, the
worker and the staff console run once; the staff console talks to Rasa through nginx.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bot.settings import ROOT, env, env_int

DEPLOY_DIR = ROOT / "deploy"
ENDPOINTS = DEPLOY_DIR / "endpoints.production.yml"
NGINX_TEMPLATE = DEPLOY_DIR / "nginx.conf.j2"
RASA = ROOT / ".venv" / "bin" / "rasa"
GUARDED_REST = "bot.channels.rest_guard.GuardedRestInput"
HOST = "127.0.0.1"

# Per replica: TensorFlow and BLAS would each start a thread per core, and N replicas on a small
# machine would then fight over the same cores. One thread each; scale with replicas instead.
SINGLE_THREAD = {
    "TF_INTRA_OP_PARALLELISM_THREADS": "1",
    "TF_INTER_OP_PARALLELISM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
}


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def nginx_binary() -> str:
    """nginx on PATH or in /usr/sbin; installed through `make nginx` when missing."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if not found:
        subprocess.run(["make", "-s", "nginx"], cwd=ROOT, check=True)
        found = shutil.which("nginx") or "/usr/sbin/nginx"
    return found


@dataclass(frozen=True)
class RedisSettings:
    host: str = HOST
    port: int = 6379
    db: int = 1
    key_prefix: str = "recoverybot"

    @classmethod
    def from_url(cls, url: str, key_prefix: str = "recoverybot") -> RedisSettings:
        """redis://host:port/db, as operators usually write it."""
        parts = urlsplit(url)
        db = parts.path.strip("/")
        return cls(parts.hostname or HOST, parts.port or 6379, int(db or 1), key_prefix)


def render_nginx(
    prefix: Path,
    listen: int,
    rasa_ports: list[int],
    action_ports: list[int],
    actions_listen: int = 0,
    workers: int = 1,
    max_body: str = "1m",
) -> str:
    import jinja2

    template = jinja2.Template(NGINX_TEMPLATE.read_text(encoding="utf-8"))
    return template.render(
        prefix=prefix,
        host=HOST,
        listen=listen,
        rasa_ports=rasa_ports,
        action_ports=action_ports,
        actions_listen=actions_listen,
        workers=workers,
        max_body=max_body,
    )


@dataclass
class Child:
    """One process of the topology, with its output in a log file of its own."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.popen = subprocess.Popen(
                self.argv,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def signal(self, signum: int) -> None:
        if self.running:
            assert self.popen is not None
            os.killpg(self.popen.pid, signum)

    def stop(self, grace: float = 15.0) -> None:
        if not self.running:
            return
        assert self.popen is not None
        self.signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self.popen.wait(timeout=5)


def wait_for_http(url: str, child: Child | None = None, timeout: float = 240.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if child is not None and child.popen is not None and child.popen.poll() is not None:
            raise RuntimeError(
                f"{child.name} exited with {child.popen.returncode}; see {child.log_path}"
            )
        try:
            with urllib.request.urlopen(url, timeout=3):
                return
        except urllib.error.HTTPError:
            return  # it answered
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


@dataclass
class Topology:
    """N Rasa replicas + action server(s) + worker (+ staff console) + nginx, on loopback."""

    workdir: Path
    database_url: str
    replicas: int = 2
    redis: RedisSettings = field(default_factory=RedisSettings)
    model: Path = ROOT / "models" / "current.tar.gz"
    token: str = field(default_factory=lambda: env("RASA_API_TOKEN") or secrets.token_urlsafe(24))
    listen_port: int = field(default_factory=free_port)
    rasa_ports: list[int] = field(default_factory=list)
    action_ports: list[int] = field(default_factory=list)
    actions_listen_port: int = 0
    action_servers: int = 1
    staff_port: int = 0  # 0: no staff console
    worker: bool = True
    extra_env: dict[str, str] = field(default_factory=dict)
    children: dict[str, Child] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.rasa_ports:
            self.rasa_ports = [free_port() for _ in range(self.replicas)]
        if not self.action_ports:
            self.action_ports = [free_port() for _ in range(self.action_servers)]
        if len(self.action_ports) > 1 and not self.actions_listen_port:
            self.actions_listen_port = free_port()
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.env = self._environment()

    @property
    def url(self) -> str:
        """The load balancer: what channels, the staff console and users talk to."""
        return f"http://{HOST}:{self.listen_port}"

    @property
    def replica_urls(self) -> list[str]:
        return [f"http://{HOST}:{port}" for port in self.rasa_ports]

    @property
    def action_url(self) -> str:
        port = self.actions_listen_port if len(self.action_ports) > 1 else self.action_ports[0]
        return f"http://{HOST}:{port}/webhook"

    def _environment(self) -> dict[str, str]:
        # Secrets every replica must share: tokens signed by one replica are checked by another.
        widget_secret = env("WIDGET_SECRET") or secrets.token_urlsafe(32)
        return {
            **os.environ,
            **SINGLE_THREAD,
            "PYTHONPATH": str(ROOT),
            "RASA_TELEMETRY_ENABLED": "false",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "DATABASE_URL": self.database_url,
            "ACTION_ENDPOINT_URL": self.action_url,
            "REDIS_HOST": self.redis.host,
            "REDIS_PORT": str(self.redis.port),
            "REDIS_DB": str(self.redis.db),
            "REDIS_KEY_PREFIX": self.redis.key_prefix,
            "RASA_API_TOKEN": self.token,
            "RASA_URL": self.url,
            "WIDGET_SECRET": widget_secret,
            "BOT_VAR_DIR": str(self.workdir / "var"),
            **self.extra_env,
        }

    def _rasa(self, index: int) -> Child:
        argv = [
            str(RASA),
            "run",
            "--enable-api",
            "--interface",
            HOST,
            "--port",
            str(self.rasa_ports[index]),
            "--model",
            str(self.model),
            "--endpoints",
            str(ENDPOINTS),
            "--credentials",
            str(self._credentials()),
            "--auth-token",
            self.token,
        ]
        name = f"rasa-{index + 1}"
        return Child(name, argv, self.env, self.workdir / f"{name}.log")

    def _credentials(self) -> Path:
        """credentials.yml with Rasa's REST channel swapped for the guarded one (same URL), so
        malformed REST bodies get a 4xx instead of a 500 or an empty answer."""
        import yaml

        channels = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8")) or {}
        if "rest" in channels:
            channels = {(GUARDED_REST if k == "rest" else k): v for k, v in channels.items()}
        path = self.workdir / "credentials.yml"
        path.write_text(yaml.safe_dump(channels, sort_keys=False), encoding="utf-8")
        return path

    def _action_server(self, index: int) -> Child:
        argv = [sys.executable, "-m", "rasa_sdk", "--actions", "actions"]
        argv += ["--port", str(self.action_ports[index])]
        name = f"actions-{index + 1}"
        return Child(name, argv, self.env, self.workdir / f"{name}.log")

    def _nginx(self) -> Child:
        prefix = self.workdir / "nginx"
        prefix.mkdir(exist_ok=True)
        conf = prefix / "nginx.conf"
        conf.write_text(
            render_nginx(
                prefix,
                self.listen_port,
                self.rasa_ports,
                self.action_ports,
                self.actions_listen_port,
            ),
            encoding="utf-8",
        )
        argv = [nginx_binary(), "-c", str(conf), "-p", str(prefix), "-g", "daemon off;"]
        return Child("nginx", argv, self.env, self.workdir / "nginx.log")

    def migrate(self) -> None:
        subprocess.run(
            [sys.executable, "-m", "bot", "migrate"],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
        )

    def start(self) -> Topology:
        if not self.model.exists():
            raise RuntimeError("no trained model: run `make train` first")
        self.migrate()
        for index in range(len(self.action_ports)):
            self._launch(self._action_server(index))
        if self.worker:
            self._launch(
                Child(
                    "worker",
                    [sys.executable, "-m", "bot", "worker"],
                    self.env,
                    self.workdir / "worker.log",
                )
            )
        for index in range(self.replicas):
            self._launch(self._rasa(index))
        self._launch(self._nginx())
        if self.staff_port:
            staff_env = {**self.env, "STAFF_PORT": str(self.staff_port)}
            self._launch(
                Child(
                    "staff",
                    [sys.executable, "-m", "bot", "staff"],
                    staff_env,
                    self.workdir / "staff.log",
                )
            )
        try:
            for index, port in enumerate(self.action_ports):
                wait_for_http(f"http://{HOST}:{port}/health", self.children[f"actions-{index + 1}"])
            for index, url in enumerate(self.replica_urls):
                wait_for_http(f"{url}/", self.children[f"rasa-{index + 1}"])
            wait_for_http(f"{self.url}/", self.children["nginx"], timeout=30)
            if self.staff_port:
                wait_for_http(f"http://{HOST}:{self.staff_port}/", self.children["staff"])
        except Exception:
            self.stop()
            raise
        return self

    def _launch(self, child: Child) -> None:
        child.start()
        self.children[child.name] = child

    def stop(self) -> None:
        # The load balancer first, so nothing new arrives while the replicas shut down.
        for name in ["nginx", *[n for n in self.children if n != "nginx"]]:
            if name in self.children:
                self.children[name].stop()

    def failed(self) -> list[str]:
        """Children that have exited: a healthy topology has none."""
        return [name for name, child in self.children.items() if not child.running]


def run_production(replicas: int) -> int:
    """`python -m bot run-production --replicas N`: start, report the URLs, and supervise."""
    from bot.settings import database_url

    url = database_url()
    if not url.startswith("postgresql"):
        print(
            "run-production needs DATABASE_URL=postgresql://... (several replicas on SQLite "
            "would queue on one file lock); `make run` is the single-machine default",
            file=sys.stderr,
        )
        return 2
    redis = RedisSettings.from_url(env("REDIS_URL", f"redis://{HOST}:6379/1"))
    staff_port = env_int("STAFF_PORT", 8000)
    from bot.__main__ import COMMANDS

    topology = Topology(
        workdir=Path(env("BOT_VAR_DIR", str(ROOT / "var"))) / "production",
        database_url=url,
        replicas=replicas,
        redis=redis,
        listen_port=env_int("PROXY_PORT", 8080),
        rasa_ports=[env_int("RASA_PORT", 5005) + i for i in range(replicas)],
        action_ports=[env_int("ACTION_PORT", 5055)],
        staff_port=staff_port if "staff" in COMMANDS else 0,
    )
    print(f"starting {replicas} Rasa replicas; logs in {topology.workdir}", flush=True)
    topology.start()
    print(f"ready: {topology.url} (replicas {', '.join(topology.replica_urls)})", flush=True)
    try:
        while not topology.failed():
            time.sleep(1.0)
        print(f"{', '.join(topology.failed())} exited; stopping the others", flush=True)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        topology.stop()
