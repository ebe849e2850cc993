"""A stock `rasa init` bot, trained once and cached, served as the latency reference."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.support.servers import RASA, ROOT, Process, free_port, wait_for_http

CACHE = ROOT / "var" / "bench" / "rasa-init"


def ensure_trained() -> Path:
    models = sorted((CACHE / "models").glob("*.tar.gz")) if CACHE.exists() else []
    if models:
        return models[-1]
    CACHE.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    env.pop("PYTHONPATH", None)
    subprocess.run(
        [str(RASA), "init", "--no-prompt", "--init-dir", str(CACHE)],
        cwd=CACHE,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return sorted((CACHE / "models").glob("*.tar.gz"))[-1]


class ReferenceBot:
    def __init__(self, workdir: Path) -> None:
        self.model = ensure_trained()
        self.port = free_port()
        env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
        env.pop("PYTHONPATH", None)
        argv = [
            str(RASA),
            "run",
            "--enable-api",
            "--interface",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--model",
            str(self.model),
        ]
        self.process = Process("rasa-init", argv, env, workdir / "rasa-init.log", cwd=CACHE)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ReferenceBot:
        self.process.start()
        wait_for_http(f"{self.url}/", process=self.process.popen)
        return self

    def stop(self) -> None:
        self.process.stop()
