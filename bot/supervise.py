"""Start every service, stream their output, and stop them all when one stops or on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Sequence

from bot.services import Service
from bot.settings import ROOT


def start(service: Service) -> subprocess.Popen[bytes]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **service.env}
    print(f"starting {service.name}: {' '.join(service.argv[:3])} ...", flush=True)
    return subprocess.Popen(service.argv, cwd=ROOT, env=environment, start_new_session=True)


def stop_all(processes: Sequence[subprocess.Popen[bytes]], grace: float = 10.0) -> None:
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in processes:
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def supervise(services: Sequence[Service]) -> int:
    processes = [start(service) for service in services]
    pairs = zip(processes, services, strict=True)
    names = {process.pid: service.name for process, service in pairs}
    try:
        while True:
            for process in processes:
                code = process.poll()
                if code is not None:
                    print(
                        f"{names[process.pid]} exited with {code}; stopping the others", flush=True
                    )
                    return code or 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        return 0
    finally:
        stop_all(processes)
