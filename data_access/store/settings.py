"""Settings, declared once with their defaults and help text.

Read from the environment first, then from ``.streamlit/secrets.toml`` (gitignored; see
``.streamlit/secrets.example.toml``). Secrets have no defaults: the cookie key is generated on
first start and kept in the data folder, never in the repository.
"""

from __future__ import annotations

import os
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Setting:
    """One documented setting (README's table is tested against this list)."""

    name: str
    default: str | None
    help: str
    secret: bool = False


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "DATABASE_URL",
        None,
        "SQLAlchemy URL of the database. Default: a SQLite file data/innsikt.sqlite. "
        "PostgreSQL: postgresql+psycopg://user@host/db.",
    ),
    Setting("INNSIKT_DATA_DIR", "data", "Folder for the embedded database and the cookie key."),
    Setting(
        "INNSIKT_COOKIE_KEY",
        None,
        "Secret that signs the login cookie. Generated into the data folder when not set.",
        secret=True,
    ),
    Setting(
        "INNSIKT_DEMO_SIZE",
        "1.0",
        "Scale of the demo data on first start (1.0 ≈ 150 000 lines/year).",
    ),
    Setting(
        "INNSIKT_NO_DEMO", "", "Set to 1 to start with an empty database instead of demo data."
    ),
    # --- issue 11 ---
    Setting(
        "INNSIKT_LOGIN_MAX_FAILURES",
        "5",
        "Wrong passwords in a row before a user name is locked (a client address: 3x as many).",
    ),
    Setting(
        "INNSIKT_LOGIN_LOCK_MINUTES",
        "15",
        "How long a lock lasts (an admin can lift it earlier); older failures are forgotten.",
    ),
    Setting(
        "INNSIKT_TRUSTED_PROXY",
        "",
        "Set to 1 behind a reverse proxy: the client address for login throttling is then "
        "read from X-Forwarded-For / X-Real-IP.",
    ),
    Setting(
        "INNSIKT_PUSHDOWN_ROWS",
        "5000000",
        "PostgreSQL only: from this many spend-cube rows in a user's scope, figures are "
        "aggregated in the database instead of in the app.",
    ),
    Setting(
        "INNSIKT_SELECTION_ROWS",
        "1000000",
        "PostgreSQL above INNSIKT_PUSHDOWN_ROWS: the most spend-cube rows of the "
        "municipalities a quarterly report may be made for — its memory bound (every page "
        "is summed by the database there).",
    ),
    Setting(
        "INNSIKT_RUN_LOG",
        "",
        "Benchmarks only: a file to which each finished page run appends its server time "
        "(bench/load_bench.py sets it).",
    ),
    Setting(
        "INNSIKT_REGION_FILE",
        None,
        "TOML file describing the cooperation (default: data_access/reference/region.toml).",
    ),
)


def _secrets_file() -> dict[str, object]:
    path = ROOT / ".streamlit" / "secrets.toml"
    if not path.exists():
        return {}
    with path.open("rb") as f:
        return tomllib.load(f)


def get(name: str) -> str | None:
    """Value of a declared setting: environment, then secrets.toml, then the default."""
    spec = next((s for s in SETTINGS if s.name == name), None)
    if spec is None:
        raise KeyError(f"undeclared setting {name}")
    if name in os.environ and os.environ[name] != "":
        return os.environ[name]
    value = _secrets_file().get(name)
    if value is not None:
        return str(value)
    return spec.default


def data_dir() -> Path:
    """The data folder, private to the app's user (0700): it holds the database with the
    password hashes and the cookie key (issue 11)."""
    path = Path(get("INNSIKT_DATA_DIR") or "data")
    if not path.is_absolute():
        path = ROOT / path
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


def private_file(path: Path, text: str | None = None) -> None:
    """Create ``path`` readable by its owner only (0600) *before* anything is written to it;
    an existing file is made private. Never a moment when another user could read it."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
        return
    with os.fdopen(fd, "w") as f:
        if text:
            f.write(text)


def database_url() -> str:
    url = get("DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{data_dir() / 'innsikt.sqlite'}"


def cookie_key() -> str:
    """The cookie-signing secret; generated once per installation when not configured."""
    configured = get("INNSIKT_COOKIE_KEY")
    if configured:
        return configured
    path = data_dir() / "cookie_key"
    private_file(path, secrets.token_urlsafe(48))  # creates it 0600, or tightens an old one
    return path.read_text().strip()
