"""Command line: `python -m bot <command>`.

Each command is a thin wrapper; the work lives in the module it names.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable


def _validate_knowledge(_: argparse.Namespace) -> int:
    from bot.knowledge.validate import cli

    return cli()


def _sync_domain(args: argparse.Namespace) -> int:
    from bot.domain_sync import sync

    return sync(check=args.check)


def _migrate(_: argparse.Namespace) -> int:
    from bot.store.db import upgrade

    upgrade()
    print("database schema is up to date")
    return 0


def _worker(_: argparse.Namespace) -> int:
    from bot.worker import run_forever

    return run_forever()


def _telegram(_: argparse.Namespace) -> int:
    from bot.channels.telegram_polling import polling_cli

    return polling_cli()


def _set_webhook(args: argparse.Namespace) -> int:
    from bot.channels.telegram_polling import set_webhook_cli

    return set_webhook_cli(args.url)


def _staff(_: argparse.Namespace) -> int:
    from bot.staff.app import serve

    return serve()


def _staff_user(args: argparse.Namespace) -> int:
    from bot.staff.cli import user_cli

    return user_cli(args)


def _purge(args: argparse.Namespace) -> int:
    from bot.staff.cli import purge_cli

    return purge_cli(args)


def _run(_: argparse.Namespace) -> int:
    from bot.services import default_services
    from bot.store.db import upgrade
    from bot.supervise import supervise

    upgrade()
    return supervise(default_services())


def _run_production(args: argparse.Namespace) -> int:
    from bot.topology import run_production

    return run_production(args.replicas)


COMMANDS: dict[str, tuple[str, Callable[[argparse.Namespace], int]]] = {
    "validate-knowledge": (
        "prove every curated passage is a verbatim span of its source",
        _validate_knowledge,
    ),
    "sync-domain": ("render crisis and admissions responses into domain.yml", _sync_domain),
    "migrate": ("create or upgrade our tables in DATABASE_URL", _migrate),
    "worker": ("deliver staff alerts and retry failures", _worker),
    "telegram": ("poll Telegram (no public URL needed) and hand updates to Rasa", _telegram),
    "set-webhook": ("point Telegram's webhook at URL/webhooks/telegram/webhook", _set_webhook),
    "staff": ("serve the staff console on STAFF_PORT (8000)", _staff),
    "staff-user": ("create a console user or reset a password (role reviewer|admin)", _staff_user),
    "purge": ("delete transcripts and contact data older than RETENTION_DAYS or --days", _purge),
    "run": ("start Rasa, the action server and the worker on the SQLite default", _run),
    "run-production": (
        "N Rasa replicas behind nginx on PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)",
        _run_production,
    ),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (help_text, _) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text)
        if name == "sync-domain":
            command.add_argument("--check", action="store_true", help="fail if out of date")
        if name == "run-production":
            command.add_argument("--replicas", type=int, default=2, help="Rasa replicas")
        if name == "set-webhook":
            command.add_argument("url", help="the bot's public https base URL")
        if name == "staff-user":
            from bot.staff.cli import add_user_arguments

            add_user_arguments(command)
        if name == "purge":
            command.add_argument("--days", type=int, help="retention in days")
    args = parser.parse_args(argv)
    return COMMANDS[args.command][1](args)


if __name__ == "__main__":
    sys.exit(main())
