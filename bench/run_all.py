"""`make bench`: every benchmark against the real, trained bot. One JSON line per benchmark."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import answers_rest, crisis_rest, latency  # noqa: E402
from bench.reference_bot import ReferenceBot  # noqa: E402
from bot.settings import load_yaml  # noqa: E402
from tests.support.servers import RunningBot  # noqa: E402

DEV = ROOT / "bench"
HELDOUT = ROOT / "bench" / "heldout"


def emit(name: str, result: dict) -> None:
    result.pop("latencies_s", None)
    print(json.dumps({"bench": name, **result}), flush=True)


def main() -> int:
    screen = subprocess.run(
        [sys.executable, str(DEV / "crisis_screen.py")], capture_output=True, text=True, cwd=ROOT
    )
    if screen.stdout.strip():
        print(json.dumps({"bench": "crisis_screen", **json.loads(screen.stdout.strip())}))
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        bot = RunningBot(workdir=workdir, database_url=f"sqlite:///{workdir / 'bench.db'}")
        reference = ReferenceBot(workdir)
        bot.start()
        reference.start()
        try:
            questions = [item["text"] for item in load_yaml(DEV / "answers_dev.yml")["in_scope"]]
            emit("latency_vs_rasa_init", latency.compare(bot.url, reference.url, questions))
            emit("answers_dev", answers_rest.evaluate(bot, DEV / "answers_dev.yml"))
            emit("crisis_dev", crisis_rest.evaluate(bot, DEV / "crisis_dev.yml"))
            if (HELDOUT / "answers.yml").exists():
                emit("answers_heldout", answers_rest.evaluate(bot, HELDOUT / "answers.yml"))
            if (HELDOUT / "crisis.yml").exists():
                emit("crisis_heldout", crisis_rest.evaluate(bot, HELDOUT / "crisis.yml"))
        finally:
            reference.stop()
            bot.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
