"""``tidings user ...``: accounts for the admin area."""

from __future__ import annotations

from datetime import UTC, datetime

import click

from tidings.cli.context import AppContext, pass_app, print_json
from tidings.errors import ConfigError
from tidings.web import auth


def _password(given: str | None) -> str:
    password = given if given is not None else click.prompt(
        "Password", hide_input=True, confirmation_prompt=True)
    auth.check_new_password(password)
    return password


def _name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 100 or any(c.isspace() for c in name):
        raise ConfigError("a user name is 1 to 100 characters without spaces")
    return name


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
    """Create an account."""
    name = _name(name)
    if app.store.users.by_name(name) is not None:
        raise ConfigError(f"a user named {name!r} already exists")
    hashed = auth.hash_password(_password(password))
    created = app.store.users.create(name, hashed, is_admin=admin, now=datetime.now(UTC))
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
    app.store.users.delete(name)
    click.echo(f"deleted {name}")


@user.command("passwd")
@click.argument("name")
@click.option("--password", metavar="P", help="The new password (prompted when left out).")
@pass_app
def passwd(app: AppContext, name: str, password: str | None) -> None:
    """Change a password; every session of that account ends."""
    if app.store.users.by_name(name) is None:
        raise ConfigError(f"no user named {name!r}")
    app.store.users.set_password(name, auth.hash_password(_password(password)))
    click.echo(f"password changed for {name}")


@user.command("admin")
@click.argument("name")
@click.option("--revoke", is_flag=True, help="Take administration rights away instead.")
@pass_app
def admin(app: AppContext, name: str, revoke: bool) -> None:
    """Grant (or with --revoke, remove) administration rights."""
    app.store.users.set_admin(name, not revoke)
    click.echo(f"{name} is {'no longer' if revoke else 'now'} an administrator")


COMMANDS = [user]
