"""UI text: Norwegian bokmål first, English when the URL says ``lang=en``.

Keys are the bokmål strings themselves, so pages read naturally and a missing translation
falls back to bokmål rather than to a key.
"""

from __future__ import annotations

import streamlit as st

EN: dict[str, str] = {
    "Oversikt": "Overview",
    "Periode": "Period",
    "Fra–til …": "From–to …",
    "Fra": "From",
    "Til": "To",
    "Kommuner": "Municipalities",
    "Alle kommuner": "All municipalities",
    "Kategorier": "Categories",
    "Alle kategorier": "All categories",
    "Område": "Area",
    "Drift": "Operations",
    "Investering": "Investment",
    "Alle": "All",
    "Logg ut": "Log out",
    "Logg inn": "Log in",
    "Brukernavn": "Username",
    "Passord": "Password",
    "Feil brukernavn eller passord": "Wrong username or password",
    "Innkjøp totalt": "Total spend",
    "Regional andel": "Regional share",
    "Avtaledekning": "Contract coverage",
    "Realisert gevinst": "Realized savings",
    "E-handelsandel": "E-commerce share",
    "Kjøp fra offentlige": "Purchases from public bodies",
    "Innkjøp per kommune": "Spend per municipality",
    "Innkjøp per kvartal": "Spend per quarter",
    "Største kategorier": "Largest categories",
    "Demodata": "Demo data",
    "Språk": "Language",
    "Import og datakvalitet": "Import and data quality",
    "Administrasjon": "Administration",
    "Analyse": "Analysis",
    "Rapporter": "Reports",
    "Forvaltning": "Management",
}


def lang() -> str:
    value = st.query_params.get("lang", "nb")
    return value if value in ("nb", "en") else "nb"


def t(text: str) -> str:
    """Translate a bokmål UI string for the current language."""
    return EN.get(text, text) if lang() == "en" else text
