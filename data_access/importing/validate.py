"""Validation: every row of a file becomes a typed ledger line or gets a reason.

The checks run as Polars expressions over the whole file; each row gets the *first* failing
check as its reason (ordered so the reason is the one to fix first: a truncated row is reported
as truncated, not as "beløp mangler"; a row with more non-empty fields than the header is
reported as such, never stored with its columns shifted). Reasons are Norwegian sentences a person can act on, and
each has a short ``kind`` for counting.

An invalid organisation number is **not** a reason to lose spend (PRODUCT.md §3.2): the line is
stored under an unknown identity (the ERP supplier number or the name) and counted as a warning
and in data quality. Only a line with no usable supplier identity at all is quarantined.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import polars as pl

from data_access.importing.classify import expand_art_ranges
from data_access.importing.layouts import DEFAULT as DEFAULT_LAYOUT
from data_access.importing.layouts import Layout, read_expr
from data_access.importing.parsers import Decimal, amount_expr, date_expr, detect_decimal
from data_access.importing.profiles import FIELDS, Profile
from data_access.importing.reader import NFIELDS_COL, ROW_COL, RawTable
from data_access.store.suppliers import normalize_name

#: Quarantine and exclusion kinds, with the label shown in reports and the UI.
REASON_LABELS: dict[str, str] = {
    "for_mange_felt": "raden har flere felt enn overskriften",
    "avkortet": "raden er ufullstendig",
    "kommune_mangler": "kommunenummer mangler",
    "kommune_ukjent": "ukjent kommunenummer",
    "kommune_ikke_medlem": "kommunen er ikke medlem",
    "dato_mangler": "dato mangler",
    "dato_ugyldig": "dato kan ikke tolkes",
    "belop_mangler": "beløp mangler",
    "belop_ugyldig": "beløp kan ikke tolkes",
    "konto_mangler": "konto mangler",
    "konto_ugyldig": "konto er ikke en KOSTRA-art",
    "leverandor_mangler": "leverandør mangler",
    "orgnr_ugyldig": "ugyldig organisasjonsnummer",
    "ikke_innkjop": "ikke innkjøpskonto (utelatt etter regel)",
    "duplikat": "allerede importert (utelatt)",
    "fil_importert": "filen er importert før (utelatt)",
    "felt_avkortet": "for lang tekst, avkortet (navn 200 tegn, annen tekst 1 000 tegn)",
}

#: Organisation words (PRODUCT.md §3.2): a name with one of these is never suspected to be a
#: person. Whole words, Norwegian, Swedish, Danish, Finnish and English forms.
_ORG_WORDS = (  # noqa: SIM905 (a word list reads better as text)
    # legal forms
    "as asa ans da sa ba nuf enk iks kf kes sf ab hb kb aps ivs oy oyj ry ky tmi gmbh ag kg "
    "ltd limited plc llp lp llc inc corp corporation co cic cio company companies "
    # Norwegian / Nordic
    "kommune fylkeskommune kommun kommunen region regionen landsting fylke stat staten "
    "stiftelse stiftelsen stiftinga forening foreningen förening föreningen lag laget "
    "klubb klubben klub senter senteret sentret center centre centrum skole skolen skule "
    "skola skolan barnehage barnehagen børnehave förskola vuggestue kirke kirken kyrka "
    "menighet menigheten församling sokn sogn fond fonden selskap selskapet selskab "
    "sällskap borettslag sameie sameiet samvirkelag samvirke kor koret korps "
    "service services bygg transport regnskap advokat advokatfirma firma gruppen gruppe "
    "holding invest eiendom helse kiosk butikk bil auto elektro rør maskin entreprenør "
    "consult consulting konsult data media trykk hotell hotel restaurant kafe kafé café "
    "catering apotek verksted handel import export norge norway sverige sweden danmark "
    "denmark suomi finland sykehus legesenter legekontor tannlegesenter universitet "
    "høgskole høyskole akademi akademiet institutt museum museet bibliotek teater "
    "kunta koulu yhdistys säätiö kaupunki stad staden län region press kyrkan "
    # English
    "council school schools academy college university trust trustees church chapel "
    "parish club society association foundation charity hospital hospice nhs surgery "
    "practice clinic care homes housing county borough city district town village "
    "partners partnership group holdings international solutions systems agency "
    "authority board department ministry office institute federation union centre "
    "community nursery primary secondary infant junior high grammar scouts guides "
    "the of for and"
).split()
#: Compound endings (``Verdal idrettslag``, ``Ørin barneskole``, ``Mannskor``): the word's end.
_ORG_ENDINGS = (  # noqa: SIM905
    "skole skule skola barnehage forening förening senter klubb kommune stiftelse menighet "
    "kirke borettslag idrettslag sanitetslag ungdomslag bygdelag velforening korps "
    "fond selskap selskab sällskap verksted service regnskap eiendom handel sentral "
    "hotell apotek senteret skolen kyrka klub"
).split()
_COMPANY_WORDS = (
    r"(?i)(?:\b(?:"
    + "|".join(_ORG_WORDS)
    + r")\b|\b\w*(?:"
    + "|".join(_ORG_ENDINGS)
    + r")\b|\b\w{3,}lag\b|[&/@]|\bek\.? ?för\b)"
)
_PERSON = (
    r"^(?:\p{Lu}[\p{L}'\-]+(?: \p{Lu}\.?)?(?: \p{Lu}[\p{L}'\-]+){1,3}"
    r"|\p{Lu}[\p{L}'\-]+, \p{Lu}[\p{L}'\-]+(?: \p{Lu}[\p{L}'\-]+){0,2})$"
)


def _field(frame: pl.DataFrame, mapping: dict[str, str], name: str) -> pl.Expr:
    if name in mapping:
        return pl.col(mapping[name]).str.strip_chars()
    return pl.lit(None, pl.String)


ECHO_CHARS = 60


def _echo(value: str | pl.Expr) -> pl.Expr:
    """A bad value as quoted in a quarantine reason: cut short, so a 5 MB cell is not repeated
    in full in every message (issue 11)."""
    col = pl.col(value) if isinstance(value, str) else value
    return (
        pl.when(col.str.len_chars() > ECHO_CHARS)
        .then(col.str.slice(0, ECHO_CHARS - 1) + pl.lit("…"))
        .otherwise(col)
    )


def canonical(table: RawTable, mapping: dict[str, str], profile: Profile) -> pl.DataFrame:
    """The file as text in ledger-field columns (+ ``_row``, ``_nfields``, ``_width``)."""
    f = table.frame
    cols = {name: _field(f, mapping, name) for name in FIELDS}
    if profile.municipality:
        cols["municipality"] = pl.coalesce(
            pl.when(cols["municipality"] != "").then(cols["municipality"]),
            pl.lit(profile.municipality),
        )
    # Fixed values (``[fixed]``, the import page) hold for every row, whatever the file says.
    for name, value in profile.fixed.items():
        cols[name] = pl.lit(value, pl.String)
    return f.select(
        pl.col(ROW_COL),
        pl.col(NFIELDS_COL),
        pl.lit(len(table.headings), pl.Int32).alias("_width"),
        *[e.alias(n) for n, e in cols.items()],
    )


def orgnr_digits(raw: pl.Expr) -> pl.Expr:
    """Raw orgnr without spaces, dots, a ``NO`` prefix or ``MVA`` suffix."""
    return (
        raw.str.to_uppercase()
        .str.replace_all(r"[\s\u00a0.\-]", "")
        .str.replace(r"^NO", "")
        .str.replace(r"MVA$", "")
    )


def orgnr_valid(digits: pl.Expr) -> pl.Expr:
    """Mod-11 check (PRODUCT.md §5) as an expression; same rule as ``suppliers.is_valid_orgnr``."""
    weights = (3, 2, 7, 6, 5, 4, 3, 2)
    total = sum(
        w * digits.str.slice(i, 1).cast(pl.Int64, strict=False) for i, w in enumerate(weights)
    )
    r = total % 11
    check = pl.when(r == 0).then(0).when(r == 1).then(None).otherwise(11 - r)
    return digits.str.contains(r"^\d{9}$").fill_null(False) & (
        digits.str.slice(8, 1).cast(pl.Int64, strict=False) == check
    ).fill_null(False)


def _first_reason(checks: Sequence[tuple[pl.Expr, str, pl.Expr]]) -> tuple[pl.Expr, pl.Expr]:
    kind = pl.lit(None, pl.String)
    msg = pl.lit(None, pl.String)
    for cond, k, m in reversed(checks):
        kind = pl.when(cond).then(pl.lit(k)).otherwise(kind)
        msg = pl.when(cond).then(m).otherwise(msg)
    return kind, msg


def is_person_number(digits: pl.Expr) -> pl.Expr:
    """An 11-digit fødselsnummer/D-nummer where an orgnr was expected."""
    return digits.str.contains(r"^\d{11}$").fill_null(False)


def is_person_name(name: pl.Expr) -> pl.Expr:
    """A name that looks like a person's (two to four capitalised words, no company words).

    >>> f = pl.DataFrame({"n": ["Kari Nordmann", "Nordmann, Kari", "Verdal Rør AS", "IKEA"]})
    >>> f.select(is_person_name(pl.col("n"))).to_series().to_list()
    [True, True, False, False]
    """
    n = name.str.strip_chars()
    return (
        n.str.contains(_PERSON) & ~n.str.contains(_COMPANY_WORDS) & ~n.str.contains(r"\d")
    ).fill_null(False)


def _blank(c: str) -> pl.Expr:
    return pl.col(c).is_null() | (pl.col(c) == "")


def _has_split() -> pl.Expr:
    """The amount is given as debit and credit columns instead of one signed amount."""
    return ~_blank("debit") | ~_blank("credit")


def validate(
    lines: pl.DataFrame,
    *,
    municipalities: pl.DataFrame,
    art_classes: pl.DataFrame,
    profile: Profile,
    decimal: Decimal | None = None,
    layout: Layout = DEFAULT_LAYOUT,
) -> pl.DataFrame:
    """Typed columns plus ``status`` (ok|quarantine|excluded), ``reason_kind``, ``reason`` and
    ``warning_kind``/``warning`` for stored lines with an invalid orgnr.

    ``lines`` are text in ledger-field columns (see :func:`canonical`); ``municipalities`` is the
    ``municipality`` table; ``art_classes`` the KOSTRA art ranges with ``kostra_group``;
    ``layout`` where the art (and kontoklasse) sits in the account (see ``layouts``). The
    kontoklasse, where the layout has one, gives the area of rows whose area cell is empty.
    """
    if decimal is None:
        decimal = profile.decimal or detect_decimal(
            pl.concat([lines["amount"], lines["debit"], lines["credit"]]).drop_nulls(), ","
        )
    assert decimal in (",", ".")
    df = _parsed(lines, profile, decimal)
    df = _with_account(df, profile, layout)
    df = _with_orgnr(df, lines)
    df = _with_municipality(df, municipalities)
    arts = expand_art_ranges(art_classes, ["spend_class", "kostra_group"])
    df = df.join(arts, on="art", how="left", maintain_order="left")
    kind, msg = _first_reason([*_row_checks(), *_account_and_supplier_checks(layout)])
    return _with_status(df, kind, msg).drop("s_code", "m_from", "m_to", "m_member")


def _parsed(lines: pl.DataFrame, profile: Profile, decimal: Decimal) -> pl.DataFrame:
    """The cells read as values: municipality code, date, amount in øre, account without
    spaces, the e-handel and private-person flags."""
    eh_true, eh_false = profile.flag_words("ehandel")
    eh = pl.col("ehandel").str.strip_chars().str.to_lowercase()
    amount = (
        pl.when(~_blank("amount"))
        .then(amount_expr(pl.col("amount"), decimal))
        .when(_has_split())
        .then(
            amount_expr(pl.col("debit").fill_null("0"), decimal)
            - amount_expr(pl.col("credit").fill_null("0"), decimal)
        )
    )
    return lines.with_columns(
        municipality_in=pl.col("municipality").str.replace(r"^(\d{3})$", "0$1"),
        date_parsed=date_expr(pl.col("date"), profile.date_format),
        amount_ore=amount,
        account_clean=pl.col("account").str.replace_all(r"[\s.]", ""),
        # An e-handel cell: a true word, a false word, or an order reference (true).
        ehandel_flag=pl.when(eh.is_null() | (eh == "") | eh.is_in(eh_false))
        .then(False)
        .when(eh.is_in(eh_true))
        .then(True)
        .otherwise(True),
        private_flag=private_flag(pl.col("private"), profile),
    )


def _with_account(df: pl.DataFrame, profile: Profile, layout: Layout) -> pl.DataFrame:
    """The art and kontoklasse read from the account, and the area (drift/investering) from
    the area cell or, where it is empty, the kontoklasse."""
    # Accounts repeat (a few hundred in a million lines): read each distinct one once.
    art, klasse = read_expr(pl.col("account_clean"), layout)
    accounts = df.select(pl.col("account_clean").drop_nulls().unique()).with_columns(
        art=art, account_class=klasse
    )
    area_txt = pl.col("area").str.to_lowercase().str.strip_chars()
    return df.join(accounts, on="account_clean", how="left", maintain_order="left").with_columns(
        area_clean=pl.when(
            area_txt.is_in(profile.investment_values) | area_txt.str.starts_with("inv")
        )
        .then(pl.lit("investering"))
        .when(area_txt.is_not_null() & (area_txt != ""))
        .then(pl.lit("drift"))
        .when(pl.col("account_class") == "0")
        .then(pl.lit("investering"))
        .otherwise(pl.lit("drift")),
    )


def _with_orgnr(df: pl.DataFrame, lines: pl.DataFrame) -> pl.DataFrame:
    """``orgnr_digits`` and ``orgnr_ok`` (mod-11) for each line's organisation number."""
    # Organisation numbers repeat (one per supplier): check each distinct value once.
    orgs = (
        lines.select(pl.col("supplier_orgnr").drop_nulls().unique())
        .with_columns(orgnr_digits=orgnr_digits(pl.col("supplier_orgnr")))
        .with_columns(orgnr_ok=orgnr_valid(pl.col("orgnr_digits")))
    )
    return df.join(orgs, on="supplier_orgnr", how="left", maintain_order="left").with_columns(
        pl.col("orgnr_ok").fill_null(False)
    )


def _with_municipality(df: pl.DataFrame, municipalities: pl.DataFrame) -> pl.DataFrame:
    """Municipality: known code, a member, and the code in use at the line's date (an old code
    on a later line is moved to the code then in use, e.g. 1702 Steinkjer in 2019 → 5004)."""
    m = municipalities.select(
        municipality_in="code",
        m_name="name",
        m_now="current_code",
        m_member="is_member",
        m_from="valid_from",
        m_to="valid_to",
    )
    df = df.join(m, on="municipality_in", how="left", maintain_order="left")

    def in_use(frm: str, to: str) -> pl.Expr:
        return (pl.col(frm).is_null() | (pl.col("date_parsed") >= pl.col(frm))) & (
            pl.col(to).is_null() | (pl.col("date_parsed") <= pl.col(to))
        )

    succ = municipalities.select(
        m_name="name", m_now="current_code", s_code="code", s_from="valid_from", s_to="valid_to"
    )
    need = df.filter(
        pl.col("m_now").is_not_null()
        & pl.col("date_parsed").is_not_null()
        & ~in_use("m_from", "m_to")
    ).select(ROW_COL, "m_name", "m_now", "date_parsed")
    moved = (
        need.join(succ, on=["m_name", "m_now"])
        .filter(in_use("s_from", "s_to"))
        .unique(ROW_COL, keep="first")
        .select(ROW_COL, "s_code")
    )
    return df.join(moved, on=ROW_COL, how="left", maintain_order="left").with_columns(
        municipality_code=pl.coalesce("s_code", "municipality_in")
    )


def _row_checks() -> list[tuple[pl.Expr, str, pl.Expr]]:
    """Quarantine checks, in order, for the row's shape, municipality, date and amount."""
    return [
        (
            pl.col(NFIELDS_COL) > pl.col("_width"),
            "for_mange_felt",
            pl.format(
                "raden har flere felt enn overskriften ({} i stedet for {}) – sjekk skilletegn "
                "i teksten",
                NFIELDS_COL,
                "_width",
            ),
        ),
        (
            pl.col(NFIELDS_COL) < pl.col("_width"),
            "avkortet",
            pl.format(
                "raden har bare {} av {} felt (filen kan være avkortet)", NFIELDS_COL, "_width"
            ),
        ),
        (
            _blank("municipality"),
            "kommune_mangler",
            pl.lit("kommunenummer mangler (angi kommune for filen)"),
        ),
        (
            pl.col("m_name").is_null(),
            "kommune_ukjent",
            pl.format("ukjent kommunenummer {}", _echo("municipality")),
        ),
        (
            ~pl.col("m_member").fill_null(False),
            "kommune_ikke_medlem",
            pl.format(
                "kommunenummer {} ({}) er ikke medlem av samarbeidet",
                _echo("municipality"),
                "m_name",
            ),
        ),
        (_blank("date"), "dato_mangler", pl.lit("dato mangler")),
        (
            pl.col("date_parsed").is_null(),
            "dato_ugyldig",
            pl.format("dato «{}» kan ikke tolkes", _echo("date")),
        ),
        (_blank("amount") & ~_has_split(), "belop_mangler", pl.lit("beløp mangler")),
        (
            pl.col("amount_ore").is_null(),
            "belop_ugyldig",
            pl.format(
                "beløp «{}» kan ikke tolkes", _echo(pl.coalesce("amount", "debit", "credit"))
            ),
        ),
    ]


def _account_and_supplier_checks(layout: Layout) -> list[tuple[pl.Expr, str, pl.Expr]]:
    """Quarantine checks, in order, for the account and the supplier's identity (they come
    after :func:`_row_checks`)."""
    no_identity = _blank("supplier_name") & _blank("supplier_no")
    return [
        (_blank("account"), "konto_mangler", pl.lit("konto mangler")),
        (
            ~pl.col("account_clean").str.contains(r"^\d{3}")
            & pl.lit(layout.name == "art"),  # other layouts say what they expect below
            "konto_ugyldig",
            pl.format("konto «{}» begynner ikke med tre siffer (KOSTRA-art)", _echo("account")),
        ),
        (
            pl.col("art").is_null(),
            "konto_ugyldig",
            pl.concat_str(  # not pl.format: a pattern's label may hold braces
                pl.lit("konto «"),
                pl.col("account"),
                pl.lit(f"» passer ikke kontooppsettet «{layout.label}»"),
            ),
        ),
        (
            _blank("supplier_orgnr") & no_identity,
            "leverandor_mangler",
            pl.lit("leverandør mangler (verken organisasjonsnummer, leverandørnummer eller navn)"),
        ),
        (
            # (a person number is an identity: the line is stored as a private person)
            ~pl.col("orgnr_ok") & no_identity & ~is_person_number(pl.col("orgnr_digits")),
            "orgnr_ugyldig",
            pl.format(
                "organisasjonsnummer {} har feil kontrollsiffer, og leverandørnavn og "
                "-nummer mangler",
                _echo("supplier_orgnr"),
            ),
        ),
    ]


def _with_status(df: pl.DataFrame, kind: pl.Expr, msg: pl.Expr) -> pl.DataFrame:
    """``status`` from the first failing check and the art's spend class, the reason of an
    excluded line, and the warning for a stored line with an invalid orgnr."""
    excluded = pl.col("spend_class").is_null() | (pl.col("spend_class") == "excluded")
    # 11 digits in the orgnr column is a person's national identity number (a payment to a
    # private person): never echoed in a warning, handled as a private person in with_identity.
    bad_orgnr = (
        ~_blank("supplier_orgnr")
        & ~pl.col("orgnr_ok")
        & ~pl.col("orgnr_digits").str.contains(r"^[A-Z]")
        & ~is_person_number(pl.col("orgnr_digits"))
    )
    return (
        df.with_columns(reason_kind=kind, reason=msg)
        .with_columns(
            # A wage or transfer line of a general ledger has no supplier: a missing supplier
            # is no reason to quarantine a line that is excluded by its (valid) art anyway.
            status=pl.when(
                pl.col("reason_kind").is_not_null()
                & ~(
                    pl.col("reason_kind").is_in(["leverandor_mangler", "orgnr_ugyldig"])
                    & pl.col("art").is_not_null()
                    & excluded
                )
            )
            .then(pl.lit("quarantine"))
            .when(excluded)
            .then(pl.lit("excluded"))
            .otherwise(pl.lit("ok")),
        )
        .with_columns(
            reason_kind=pl.when(pl.col("status") == "excluded")
            .then(pl.lit("ikke_innkjop"))
            .otherwise("reason_kind"),
            reason=pl.when(pl.col("status") == "excluded")
            .then(
                pl.format(
                    "art {} er ikke innkjøp ({})",
                    "art",
                    pl.coalesce("kostra_group", pl.lit("utenfor KOSTRA-artene")),
                )
            )
            .otherwise("reason"),
            warning_kind=pl.when((pl.col("status") == "ok") & bad_orgnr).then(
                pl.lit("orgnr_ugyldig")
            ),
            warning=pl.when((pl.col("status") == "ok") & bad_orgnr).then(
                pl.when(pl.col("orgnr_digits").str.contains(r"^\d{9}$"))
                .then(
                    pl.format(
                        "organisasjonsnummer {} har feil kontrollsiffer – lagret som ukjent "
                        "leverandør",
                        "orgnr_digits",
                    )
                )
                .otherwise(
                    pl.format(
                        "organisasjonsnummer «{}» har ikke 9 siffer – lagret som ukjent leverandør",
                        "supplier_orgnr",
                    )
                )
            ),
        )
    )


def private_flag(text: pl.Expr, profile: Profile | None = None) -> pl.Expr:
    """The private-person cell as True / False / null (no flag), by the profile's words.

    A true word (``[values.private] true``, else ``[values] true``) is True, a false word False.
    Any other non-empty value is False when the profile listed its own true words (they say
    what "private" looks like in this ERP), and True otherwise (a mark in a private column is
    taken as a flag: masking too much is safer than showing a person's name).
    """
    p = profile or Profile()
    t, f = p.flag_words("private")
    v = text.str.strip_chars().str.to_lowercase()
    return (
        pl.when(v.is_null() | (v == ""))
        .then(pl.lit(None, pl.Boolean))
        .when(v.is_in(t))
        .then(True)
        .when(v.is_in(f))
        .then(False)
        .otherwise(pl.lit(not p.explicit_private))
    )


def private_expr(
    flag: pl.Expr, orgnr_ok: pl.Expr, digits: pl.Expr, person_like: pl.Expr
) -> pl.Expr:
    """Whether a line pays a private person (PRODUCT.md §3.2), one rule for import and display:

    * a national identity number (11 digits) in the orgnr column: always;
    * else an explicit private flag decides, whatever the orgnr column holds (``ja`` makes even
      a line with a valid orgnr private; ``nei`` keeps a person-like name a supplier);
    * else a person-like name without a *valid* orgnr (empty, too short or a wrong check digit
      all count as none: ``12345;Kari Nordmann`` is a person).
    """
    return (
        is_person_number(digits)
        | pl.when(flag.is_not_null())
        .then(flag)
        .otherwise(~orgnr_ok.fill_null(False) & person_like.fill_null(False))
    ).fill_null(False)


def private_rows(frame: pl.DataFrame) -> pl.Series:
    """:func:`private_expr` for rows of text in ledger fields (e.g. quarantined rows)."""
    digits = orgnr_digits(pl.col("supplier_orgnr"))
    return frame.select(
        private_expr(
            private_flag(pl.col("private")),
            orgnr_valid(digits),
            digits,
            is_person_name(pl.col("supplier_name")),
        ).alias("is_private")
    ).to_series()


def with_identity(ok: pl.DataFrame) -> pl.DataFrame:
    """Supplier identity of valid lines: ``supplier_key``, ``identity_kind``, ``orgnr``,
    ``is_private``, and the ``line_hash`` that makes re-imports idempotent.

    Private persons by a national identity number or the private flag share one
    pseudo-supplier per buyer, ``privat:KKKK``, whose name is never stored. A *suspected*
    private person (a person-like name without a valid orgnr, no flag) keeps a supplier of its
    own (``mistanke:`` + a hash of its ERP-number or name key), masked as "Privatperson" everywhere, with
    the name held for admins to review and release (``private_reason``).
    """
    names = ok["supplier_name"].drop_nulls().unique()
    # Names repeat (one per supplier): normalise and test each distinct name once.
    norm = pl.DataFrame(
        {"supplier_name": names, "name_norm": [normalize_name(n) for n in names]},
        schema={"supplier_name": pl.String, "name_norm": pl.String},
    )
    norm = norm.with_columns(person_like=is_person_name(pl.col("supplier_name")))
    flag = (
        pl.col("private_flag") if "private_flag" in ok.columns else private_flag(pl.col("private"))
    )
    fnr = is_person_number(pl.col("orgnr_digits"))
    df = (
        ok.join(norm, on="supplier_name", how="left", maintain_order="left")
        .with_columns(
            is_private=private_expr(
                flag, pl.col("orgnr_ok"), pl.col("orgnr_digits"), pl.col("person_like")
            ),
            # Why: a number or a flag is certain and masked for good; a person-like name is a
            # suspicion an admin may release (its own supplier, the name held for admins).
            private_reason=pl.when(fnr)
            .then(pl.lit("fnr"))
            .when(flag.fill_null(False))
            .then(pl.lit("flagg"))
            .when(flag.is_null() & ~pl.col("orgnr_ok").fill_null(False) & pl.col("person_like"))
            .then(pl.lit("mistanke")),
        )
        .with_columns(
            # A private person is never identified by an orgnr (a flagged sole proprietor's
            # number would otherwise lead to the register's name: the person's own).
            orgnr=pl.when(pl.col("orgnr_ok") & ~pl.col("is_private")).then(pl.col("orgnr_digits")),
            supplier_no=pl.when(pl.col("supplier_no") != "").then(pl.col("supplier_no")),
        )
        .with_columns(
            supplier_key=pl.when(pl.col("private_reason").is_in(["fnr", "flagg"]))
            .then(pl.format("privat:{}", "municipality_code"))
            .when(pl.col("orgnr").is_not_null())
            .then(pl.format("orgnr:{}", "orgnr"))
            .when(pl.col("supplier_no").is_not_null())
            .then(pl.format("lnr:{}:{}", "municipality_code", "supplier_no"))
            .otherwise(pl.format("navn:{}", "name_norm")),
            identity_kind=pl.when(pl.col("orgnr").is_not_null())
            .then(pl.lit("orgnr"))
            .when(pl.col("supplier_no").is_not_null() & ~pl.col("is_private"))
            .then(pl.lit("supplier_no"))
            .otherwise(pl.lit("name")),
        )
        .with_columns(
            # The key of a suspected person must not spell the name: a hash of the identity.
            supplier_key=pl.when(pl.col("private_reason") == "mistanke")
            .then(
                pl.format(
                    "mistanke:{}",
                    pl.col("supplier_key")
                    .map_batches(_sha1, return_dtype=pl.String)
                    .str.slice(0, 20),
                )
            )
            .otherwise("supplier_key"),
        )
    )
    # Line identity: what the line *is* (buyer, date, supplier, account, function, amount,
    # invoice), plus the occurrence number among identical lines of this file, so two genuine
    # identical lines are both kept while an overlapping re-export is recognised.
    ident = pl.concat_str(
        [
            pl.col("municipality_code"),
            pl.col("date_parsed").cast(pl.String),
            pl.coalesce(pl.col("orgnr"), pl.col("orgnr_digits"), pl.lit("")),
            pl.col("supplier_no").fill_null(""),
            pl.col("name_norm").fill_null(""),
            pl.col("account_clean"),
            pl.col("function").fill_null(""),
            pl.col("amount_ore").cast(pl.String),
            pl.col("invoice_id").fill_null(""),
        ],
        separator="|",
    )
    # Re-imported quarantine rows (``_fil``) count their occurrences per original file, and keep
    # the identity without the number (``line_ident``) so the pipeline can continue the count
    # after the lines of that file already stored (see ``pipeline._continue_occurrences``).
    per = ["_fil", "_ident"] if "_fil" in df.columns else ["_ident"]
    df = df.with_columns(_ident=ident)
    if "_fil" in df.columns:
        df = df.with_columns(
            line_ident=pl.col("_ident"), occurrence=pl.int_range(pl.len()).over(per)
        )
    df = df.with_columns(_ident=pl.format("{}|{}", "_ident", pl.int_range(pl.len()).over(per)))
    return df.with_columns(
        line_hash=pl.col("_ident").map_batches(_sha1, return_dtype=pl.String)
    ).drop("_ident", "person_like")


def line_hash(ident: str, occurrence: int) -> str:
    """The ``line_hash`` of a line identity and its occurrence number (as in
    :func:`with_identity`)."""
    return hashlib.sha1(f"{ident}|{occurrence}".encode()).hexdigest()


def _sha1(s: pl.Series) -> pl.Series:
    return pl.Series([hashlib.sha1(v.encode("utf-8")).hexdigest() for v in s], dtype=pl.String)
