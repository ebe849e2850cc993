"""The topology's generated configuration: nginx accepts it, and run-production refuses SQLite."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from bot.topology import GUARDED_REST, RedisSettings, Topology, nginx_binary, render_nginx
from tests.support.servers import ROOT


def test_rendered_nginx_config_is_valid_and_lists_every_replica(tmp_path: Path) -> None:
    conf = tmp_path / "nginx.conf"
    text = render_nginx(tmp_path, 18080, [15005, 15006, 15007], [15055, 15056], 18081)
    conf.write_text(text, encoding="utf-8")
    for port in (15005, 15006, 15007, 15055, 15056):
        assert f"server 127.0.0.1:{port} " in text
    result = subprocess.run(
        [nginx_binary(), "-t", "-c", str(conf), "-p", str(tmp_path), "-g", "daemon off;"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_one_action_server_needs_no_second_upstream(tmp_path: Path) -> None:
    text = render_nginx(tmp_path, 18080, [15005], [15055])
    assert "action_servers" not in text


def test_replicas_share_secrets_and_get_the_guarded_rest_channel(tmp_path: Path) -> None:
    topology = Topology(
        workdir=tmp_path,
        database_url="postgresql://postgres@127.0.0.1:5432/x",
        replicas=3,
        redis=RedisSettings.from_url("redis://127.0.0.1:6390/4", key_prefix="t"),
    )
    assert len(set(topology.rasa_ports)) == 3
    assert topology.env["REDIS_PORT"] == "6390" and topology.env["REDIS_DB"] == "4"
    assert topology.env["RASA_URL"] == topology.url  # the console goes through nginx
    assert topology.env["WIDGET_SECRET"] and topology.env["RASA_API_TOKEN"] == topology.token
    assert topology.env["TF_INTRA_OP_PARALLELISM_THREADS"] == "1"
    channels = yaml.safe_load(topology._credentials().read_text(encoding="utf-8"))
    assert GUARDED_REST in channels and "rest" not in channels
    originals = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))
    assert len(channels) == len(originals)  # every other channel kept


def test_run_production_refuses_sqlite() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": "sqlite:///x.db"}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run-production", "--replicas", "2"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "postgresql" in result.stderr
