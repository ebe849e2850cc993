"""Shared fixtures. Integration tests share one real bot per session: Rasa takes ~20 s to load."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.servers import MODEL, RunningBot


@pytest.fixture(scope="session")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    if not MODEL.exists():
        pytest.fail("no trained model at models/current.tar.gz: run `make train` (make test does)")
    workdir = tmp_path_factory.mktemp("bot")
    running = RunningBot(workdir=workdir, database_url=f"sqlite:///{workdir / 'bot.db'}")
    running.start()
    yield running
    running.stop()
