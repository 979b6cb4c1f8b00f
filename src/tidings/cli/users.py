"""``tidings user ...``: accounts for the admin area."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from tidings.cli.context import AppContext, pass_app
from tidings.console import print_json
from tidings.errors import ConfigError
from tidings.operations import accounts as reader_accounts
from tidings.operations import users as accounts
from tidings.passwords import check_new_password


def _password(given: str | None) -> str:
    password = given if given is not None else click.prompt(
        "Password", hide_input=True, confirmation_prompt=True)
    check_new_password(password)
    return password


@click.group("user")
def user() -> None:
    """Accounts that can sign in (administrators reach /admin)."""


@user.command("create")
@click.argument("name")
@click.option("--admin", is_flag=True, help="May use the admin area.")
@click.option("--password", metavar="P",
              help="The password (prompted, hidden and confirmed, when left out).")
@pass_app
def create(app: AppContext, name: str, admin: bool, password: str | None) -> None:
    """Create an account (a reader; with --admin, an administrator)."""
    name = accounts.check_available(app.store, name)  # before asking for a password
    created = accounts.create_user(app.store, name, _password(password), admin=admin,
                                   now=datetime.now(UTC))
    click.echo(f"created {'administrator' if created.is_admin else 'user'} {created.name}")


@user.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@pass_app
def list_users(app: AppContext, as_json: bool) -> None:
    """List accounts."""
    users = app.store.users.list()
    if as_json:
        print_json({"users": [{"id": u.id, "name": u.name, "admin": u.is_admin,
                               "created_at": u.created_at.isoformat()} for u in users]})
        return
    for u in users:
        click.echo(f"{u.id}\t{u.name}\t{'admin' if u.is_admin else 'user'}\t"
                   f"{u.created_at:%Y-%m-%d}")


@user.command("delete")
@click.argument("name")
@pass_app
def delete(app: AppContext, name: str) -> None:
    """Delete an account (its sessions end with it)."""
    accounts.delete_user(app.store, name)
    click.echo(f"deleted {name}")


@user.command("passwd")
@click.argument("name")
@click.option("--password", metavar="P", help="The new password (prompted when left out).")
@pass_app
def passwd(app: AppContext, name: str, password: str | None) -> None:
    """Change a password; every session of that account ends."""
    if app.store.users.by_name(name) is None:  # before asking for a password
        raise ConfigError(f"no user named {name!r}")
    accounts.set_password(app.store, name, _password(password))
    click.echo(f"password changed for {name}")


@user.command("api-password")
@click.argument("name")
@click.option("--password", metavar="P",
              help="The API password (prompted when left out); apps sign in with it.")
@click.option("--clear", is_flag=True, help="Remove API access (password and tokens).")
@pass_app
def api_password(app: AppContext, name: str, password: str | None, clear: bool) -> None:
    """Set the password apps use (Google Reader API, Fever), apart from the sign-in one."""
    if app.store.users.by_name(name) is None:  # before asking for a password
        raise ConfigError(f"no user named {name!r}")
    if clear:
        reader_accounts.clear_api_password(app.store, name)
        click.echo(f"API access removed for {name}")
        return
    reader_accounts.set_api_password(app.store, name, _password(password))
    click.echo(f"API password set for {name}")


@user.command("admin")
@click.argument("name")
@click.option("--revoke", is_flag=True, help="Take administration rights away instead.")
@pass_app
def admin(app: AppContext, name: str, revoke: bool) -> None:
    """Grant (or with --revoke, remove) administration rights."""
    accounts.set_admin(app.store, name, not revoke)
    click.echo(f"{name} is {'no longer' if revoke else 'now'} an administrator")


COMMANDS = [user]
