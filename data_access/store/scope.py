"""Access scope: what rows a user may see, derived from the login and applied in every query.

PRODUCT.md §7. ``admin`` and ``analyst`` see everything; ``leder`` sees all municipalities'
aggregates but no invoice-line detail unless granted; ``kommune`` sees only the named
municipalities (today's codes; their historical codes are included, so a Steinkjer user sees
Verran's 2019 rows, which are Steinkjer's today).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from data_access.store import schema

ROLES = ("admin", "analyst", "leder", "kommune")


@dataclass(frozen=True)
class Scope:
    """The access scope of one user; hashable so it can key caches."""

    role: str
    municipalities: frozenset[str] | None = None  # today's codes; None = all
    line_detail: bool = False
    username: str = ""

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}")
        if self.role == "kommune" and not self.municipalities:
            raise ValueError("en bruker med rollen kommune trenger minst én kommune")
        if self.role != "kommune" and self.municipalities is not None:
            object.__setattr__(self, "municipalities", None)

    @property
    def may_see_lines(self) -> bool:
        return self.role in ("admin", "analyst", "kommune") or self.line_detail

    @property
    def is_staff(self) -> bool:
        return self.role in ("admin", "analyst")

    @classmethod
    def for_rows(cls, municipalities: frozenset[str] | None) -> Scope:
        """A scope that sees exactly the rows of ``municipalities`` (None = all): what a cache
        shared by every user with the same rows loads with, whatever their role.

        >>> Scope.for_rows(None).municipalities is None
        True
        >>> sorted(Scope.for_rows(frozenset({"5038"})).municipalities or ())
        ['5038']
        """
        if municipalities is None:
            return cls(role="analyst", username="shared")
        return cls(role="kommune", municipalities=municipalities, username="shared")

    @classmethod
    def everything(cls) -> Scope:
        """For the CLI and maintenance jobs run by the operator."""
        return cls(role="admin", username="cli")


def historical_codes(conn: sa.Connection, scope: Scope) -> list[str] | None:
    """Every municipality code (old and new) that maps to the scope's codes; None = no limit."""
    if scope.municipalities is None:
        return None
    m = schema.municipality
    rows = conn.execute(
        sa.select(m.c.code).where(m.c.current_code.in_(sorted(scope.municipalities)))
    ).scalars()
    return sorted(set(rows) | set(scope.municipalities))
