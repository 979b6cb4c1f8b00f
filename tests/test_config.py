from pathlib import Path

import pytest

from tidings.config import Settings, documented_names
from tidings.errors import ConfigError

DOCS = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


def test_every_setting_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    missing = [name for name in documented_names() if f"`{name}`" not in text]
    assert missing == [], f"undocumented settings: {missing}"


def test_environment_values_are_converted() -> None:
    s = Settings.from_env({"TIDINGS_PORT": "9000", "TIDINGS_ALLOW_PRIVATE": "yes",
                           "TIDINGS_READ_TIMEOUT": "2.5", "TIDINGS_TIMEZONE": "Europe/Rome"})
    assert (s.port, s.allow_private, s.read_timeout, s.timezone) == (9000, True, 2.5, "Europe/Rome")


def test_overrides_win_over_environment() -> None:
    s = Settings.from_env({"TIDINGS_DATABASE_URL": "sqlite:///a.db"}, database_url="sqlite:///b.db")
    assert s.database_url == "sqlite:///b.db"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TIDINGS_PORT": "eighty"}, "TIDINGS_PORT"),
        ({"TIDINGS_TIMEZONE": "Mars/Olympus"}, "TIDINGS_TIMEZONE"),
        ({"TIDINGS_ALLOW_PRIVATE": "maybe"}, "TIDINGS_ALLOW_PRIVATE"),
        ({"TIDINGS_DATABASE_URL": "mysql://x"}, "TIDINGS_DATABASE_URL"),
        ({"TIDINGS_MAX_BODY_BYTES": "0"}, "TIDINGS_MAX_BODY_BYTES"),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_env(env)


def test_default_database_lives_in_home(tmp_path: Path) -> None:
    s = Settings.from_dict({"home": str(tmp_path)})
    assert s.resolved_database_url == f"sqlite:///{tmp_path}/tidings.db"
