"""The ``innsikt`` command line: set-up, demo data, users and figures.

    innsikt init                       schema, reference data, first admin, demo data if empty
    innsikt demo [--size S] [--seed N] recreate the demo data (replaces all ledger data)
    innsikt user add|passwd|list       manage users
    innsikt user unlock|logout NAME    lift a login lock / end every session of a user
    innsikt figures --year Y [--municipality K] [--json]
                                       the Oversikt headline figures, from the same functions

Exit codes: 0 success, 1 usage or input error (message on stderr), further codes per command
module (see ``cli/import_cmd.py``).
"""

from __future__ import annotations

import argparse
import getpass
import importlib
import sys
import time
from collections.abc import Callable, Sequence

import sqlalchemy as sa

from data_access.bootstrap import initialize
from data_access.store import db, settings, snapshot
from data_access.store.scope import ROLES

# Modules that add their own subcommands through ``register(subparsers)``.
COMMAND_MODULES: tuple[str, ...] = ("cli.figures_cmd", "cli.import_cmd", "cli.report_cmd")


def _engine(args: argparse.Namespace) -> sa.Engine:
    return db.make_engine(args.database_url or settings.database_url())


def cmd_init(args: argparse.Namespace) -> int:
    """Database, first admin, demo data — and the cube snapshot of the data version, so the
    server that `make run` starts next reads one Arrow file for its first page instead of
    aggregating the ledger while the first visitors wait."""
    engine = _engine(args)
    initialize(engine, demo_size=args.size, with_demo=not args.no_demo, log=_err)
    started = time.perf_counter()
    cube = snapshot.full_cube(engine, settings.data_dir())
    _err(
        f"Kuben er klar: {cube.height:,} rader ({time.perf_counter() - started:.1f} s).".replace(
            ",", " "
        )
    )
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from data_access import demo

    engine = _engine(args)
    initialize(engine, with_demo=False, log=_err)
    _err(f"Lager demodata (størrelse {args.size}, frø {args.seed}) …")
    with engine.begin() as conn:
        result = demo.generate(conn, size=args.size, seed=args.seed, username="cli")
    _err(
        f"Ferdig: {result['lines']} linjer, {result['suppliers']} leverandører, "
        f"{result['agreements']} avtaler."
    )
    return 0


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Nytt passord: ")
    if first != getpass.getpass("Gjenta passordet: "):
        raise ValueError("passordene er ikke like")
    return first


def cmd_user_add(args: argparse.Namespace) -> int:
    from data_access.admin.users import add_user

    engine = _engine(args)
    initialize(engine, with_demo=False, log=_err)
    password = _read_password(args)
    munis = [m for m in (args.municipality or []) if m]
    with engine.begin() as conn:
        add_user(
            conn,
            args.username,
            name=args.name or args.username,
            role=args.role,
            password=password,
            municipalities=munis,
            line_detail=args.line_detail,
            by="cli",
        )
    _err(f"Brukeren {args.username} ({args.role}) er opprettet.")
    return 0


def cmd_user_passwd(args: argparse.Namespace) -> int:
    from data_access.admin.users import set_password

    engine = _engine(args)
    password = _read_password(args)
    with engine.begin() as conn:
        set_password(conn, args.username, password, by="cli")
    _err(f"Passordet for {args.username} er endret.")
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    from data_access.store.users import list_users

    users = list_users(_engine(args))
    for r in users.iter_rows(named=True):
        scope = r["municipalities"] or "alle"
        state = "aktiv" if r["active"] else "deaktivert"
        print(f"{r['username']:<20} {r['role']:<8} {scope:<20} {state}  {r['name']}")
    return 0


def cmd_user_unlock(args: argparse.Namespace) -> int:
    from data_access.store.login_security import unlock

    with _engine(args).begin() as conn:
        n = unlock(conn, args.username, by="cli")
    _err(f"Sperren for {args.username} er opphevet." if n else f"{args.username} var ikke sperret.")
    return 0


def cmd_user_logout(args: argparse.Namespace) -> int:
    from data_access.store.login_security import revoke_sessions, token_version

    with _engine(args).begin() as conn:
        if token_version(conn, args.username) is None:
            _err(f"Ingen aktiv bruker {args.username!r}.")
            return 1
        revoke_sessions(conn, args.username, by="cli", reason="logg ut overalt")
    _err(f"Alle innlogginger for {args.username} er avsluttet.")
    return 0


def _err(message: str) -> None:
    print(message, file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="innsikt", description="Innkjøpsinnsikt – kommandolinje")
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: DATABASE_URL or SQLite)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("init", help="opprett database, første admin og demodata")
    p.add_argument(
        "--size", type=float, default=None, help="størrelse på demodata (1.0 ≈ 150 000 linjer/år)"
    )
    p.add_argument("--no-demo", action="store_true", help="start uten demodata")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("demo", help="lag demodata på nytt (erstatter alle regnskapsdata)")
    p.add_argument("--size", type=float, default=1.0, help="1.0 ≈ 150 000 linjer per år")
    p.add_argument("--seed", type=int, default=2019)
    p.set_defaults(func=cmd_demo)

    user = sub.add_parser("user", help="brukere og roller").add_subparsers(
        dest="user_cmd", required=True
    )
    p = user.add_parser("add", help="opprett bruker")
    p.add_argument("username")
    p.add_argument("--name")
    p.add_argument("--role", choices=ROLES, required=True)
    p.add_argument(
        "--municipality", action="append", help="kommunenummer (for rollen kommune), kan gjentas"
    )
    p.add_argument("--line-detail", action="store_true", help="leder: gi tilgang til fakturalinjer")
    p.add_argument("--password-stdin", action="store_true", help="les passordet fra standard input")
    p.set_defaults(func=cmd_user_add)
    p = user.add_parser("passwd", help="sett nytt passord")
    p.add_argument("username")
    p.add_argument("--password-stdin", action="store_true")
    p.set_defaults(func=cmd_user_passwd)
    p = user.add_parser("list", help="list brukere")
    p.set_defaults(func=cmd_user_list)
    p = user.add_parser("unlock", help="opphev innloggingssperre (brukernavn eller ip:adresse)")
    p.add_argument("username")
    p.set_defaults(func=cmd_user_unlock)
    p = user.add_parser("logout", help="avslutt alle innlogginger for brukeren (logg ut overalt)")
    p.add_argument("username")
    p.set_defaults(func=cmd_user_logout)

    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        register: Callable[[argparse._SubParsersAction], None] = module.register
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (ValueError, PermissionError, LookupError) as exc:
        _err(f"Feil: {exc}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
