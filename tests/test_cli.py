"""The ``innsikt`` command line: figures equal the page's functions and the ledger; users."""

from __future__ import annotations

import io
import json

import pytest
import sqlalchemy as sa

from cli import main
from data_access.store.filters import Filters
from data_access.store.users import list_users, scope_for
from tests.test_overview_vs_sql import _sql_figures


def _url(engine: sa.Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_figures_json_equals_ledger(engine: sa.Engine, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(
        [
            "--database-url",
            _url(engine),
            "figures",
            "--year",
            "2024",
            "--municipality",
            "5038",
            "--json",
        ]
    )
    assert rc == 0
    out = json.loads(capsys.readouterr().out)
    sql = _sql_figures(engine, Filters.year(2024, municipalities=("5038",)))
    assert out["period"] == {"token": "2024", "start": "2024-01-01", "end": "2024-12-01"}
    assert out["headline"]["spend"] == pytest.approx(sql["spend"], abs=0.005)
    assert out["headline"]["ehandel_share"] == pytest.approx(sql["eh"] / sql["spend"], rel=1e-12)
    assert out["analysis"]["spend"] == pytest.approx(sql["spend"], abs=0.01)
    assert out["agreements"]["contract_coverage"] == pytest.approx(
        sql["covered"] / sql["spend"], rel=1e-9
    )


def test_figures_rejects_unknown_input(
    engine: sa.Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--database-url", _url(engine), "figures", "--year", "1990"]) == 1
    assert "ingen data for perioden 1990" in capsys.readouterr().err
    assert (
        main(
            ["--database-url", _url(engine), "figures", "--year", "2024", "--municipality", "5099"]
        )
        == 1
    )
    assert "ukjent kommunenummer 5099" in capsys.readouterr().err


def test_user_add_list_passwd(
    tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'u.sqlite'}"
    monkeypatch.setattr("sys.stdin", io.StringIO("et-langt-passord\n"))
    rc = main(
        [
            "--database-url",
            url,
            "user",
            "add",
            "steinkjer",
            "--role",
            "kommune",
            "--municipality",
            "5006",
            "--name",
            "Økonomisjef",
            "--password-stdin",
        ]
    )
    assert rc == 0
    err = capsys.readouterr().err
    assert "Første oppstart: brukeren 'admin'" in err  # first start made the admin
    engine = sa.create_engine(url)
    sc = scope_for(engine, "steinkjer")
    assert sc is not None and sc.role == "kommune" and sc.municipalities == frozenset({"5006"})

    assert main(["--database-url", url, "user", "list"]) == 0
    listing = capsys.readouterr().out
    assert "steinkjer" in listing and "5006" in listing and "admin" in listing

    monkeypatch.setattr("sys.stdin", io.StringIO("kort\n"))
    assert main(["--database-url", url, "user", "passwd", "steinkjer", "--password-stdin"]) == 1
    assert "minst 8 tegn" in capsys.readouterr().err

    monkeypatch.setattr("sys.stdin", io.StringIO("x\n"))
    assert (
        main(["--database-url", url, "user", "add", "k2", "--role", "kommune", "--password-stdin"])
        == 1
    )
    assert "trenger minst én kommune" in capsys.readouterr().err
    assert set(list_users(engine)["username"]) == {"admin", "steinkjer"}


def test_init_writes_the_cube_snapshot_the_server_reads(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make run` runs `innsikt init` before the server: the snapshot it leaves is what the
    server's first cube load reads (no aggregation of the ledger while visitors wait)."""
    from data_access.store import snapshot
    from data_access.store.db import make_engine

    monkeypatch.setenv("INNSIKT_DATA_DIR", str(tmp_path / "data"))
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    assert main(["--database-url", url, "init", "--size", "0.02"]) == 0
    written = list((tmp_path / "data").glob("cube-*.arrow"))
    assert len(written) == 1
    engine = make_engine(url)
    try:
        snapshot.forget()
        monkeypatch.setattr(snapshot, "load_cube", lambda *_a: pytest.fail("rebuilt from SQL"))
        cube = snapshot.full_cube(engine, tmp_path / "data")
        assert cube.height > 1_000
    finally:
        engine.dispose()
        snapshot.forget()
