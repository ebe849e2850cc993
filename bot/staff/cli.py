"""Command-line account management and retention purge (`python -m bot staff-user|purge`)."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from bot.staff.accounts import ROLES, AccountError, create_user, reset_password
from bot.store.db import session_scope, upgrade


def add_user_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("create", "reset-password"))
    parser.add_argument("username")
    parser.add_argument("--role", choices=ROLES, help="reviewer or admin (create: reviewer)")


def _password() -> str:
    """STAFF_PASSWORD for scripts, otherwise asked twice without echo."""
    from_env = os.environ.get("STAFF_PASSWORD")
    if from_env:
        return from_env
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat password: "):
        raise AccountError("the passwords differ")
    return first


def user_cli(args: argparse.Namespace) -> int:
    upgrade()
    try:
        password = _password()
        with session_scope() as session:
            if args.action == "create":
                user = create_user(session, args.username, password, args.role or "reviewer")
                print(f"created {user.username} ({user.role})")
            else:
                user = reset_password(session, args.username, password, args.role)
                print(f"password reset for {user.username} ({user.role}); sessions ended")
    except AccountError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def purge_cli(args: argparse.Namespace) -> int:
    from bot.store.purge import purge, retention_days

    upgrade()
    days = args.days if args.days is not None else retention_days()
    with session_scope() as session:
        counts = purge(session, days)
    print(
        f"purged {counts['conversations']} conversations ({counts['rows']} rows) and "
        f"{counts['leads']} callback requests older than {days} days"
    )
    return 0
