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
    # Gevinster / Avtaler
    "Gevinster": "Savings",
    "Avtaler": "Agreements",
    "Avtaler og gevinster": "Agreements and savings",
    "Hard gevinst": "Hard savings",
    "Kostnadsunngåelse": "Cost avoidance",
    "Forventet i perioden": "Projected for the period",
    "Forventet × lojalitet": "Projected × loyalty",
    "Realisert gevinst per år mot målet": "Realized savings per year against the target",
    "Akkumulert gevinst gjennom året": "Cumulative savings through the year",
    "Gevinst per medlemskommune": "Savings per member municipality",
    "Realisert gevinst per kommune i perioden": "Realized savings per municipality in the period",
    "Gevinst per avtale": "Savings per agreement",
    "Forventet og realisert gevinst per avtale i perioden": (
        "Projected and realized savings per agreement in the period"
    ),
    "Endre årlig gevinstmål": "Change the yearly savings target",
    "Årlig gevinstmål (kr)": "Yearly savings target (NOK)",
    "Lagre mål": "Save target",
    "Dekning og lojalitet": "Coverage and loyalty",
    "Utenfor avtale": "Outside agreements",
    "Terskelvakt": "Threshold watch",
    "Utløper snart": "Expiring soon",
    "E-handel": "E-commerce",
    "Avtaleregister": "Agreement register",
    "Kjøp utenfor avtale": "Spend outside agreements",
    "Avtaledekning per kategori og kommune": "Contract coverage per category and municipality",
    "Avtalelojalitet per kategori med aktiv avtale": (
        "Contract loyalty per category with an active agreement"
    ),
    "Kjøp utenfor avtale per kategori": "Spend outside agreements per category",
    "Leverandørene med mest kjøp utenfor avtale": "Suppliers with most spend outside agreements",
    "Grupper": "Group",
    "Per leverandør": "Per supplier",
    "Per leverandør og kategori": "Per supplier and category",
    "Vis flagg": "Show flags",
    "flagg krever vurdering": "flags need review",
    "Ingen leverandører over terskelverdiene uten avtale i utvalget.": (
        "No supplier without an agreement passes the thresholds in the selection."
    ),
    "Vis fakturalinjene bak": "Show the invoice lines behind",
    "Fakturalinjene bak flaggene krever tilgang til linjenivå.": (
        "The invoice lines behind the flags require line-level access."
    ),
    "Terskelverdier (dato for ikrafttredelse)": "Thresholds (effective date)",
    "Lagre terskelverdier": "Save thresholds",
    "Utløper innen 6 måneder": "Expiring within 6 months",
    "Utløper innen 12 måneder": "Expiring within 12 months",
    "E-handelsandel i perioden": "E-commerce share in the period",
    "E-handelsandel per kommune og år": "E-commerce share per municipality and year",
    "E-handelsandel per kommune og kvartal": "E-commerce share per municipality and quarter",
    "Vis per": "Show per",
    "År": "Year",
    "Kvartal": "Quarter",
    "Lagre avtaleregisteret": "Save the agreement register",
    "Importer avtaler fra CSV eller Excel": "Import agreements from CSV or Excel",
    "Last ned registeret som mal (CSV)": "Download the register as a template (CSV)",
    "Velg fil": "Choose file",
    "Importer": "Import",
    "Ingenting ble lagret:": "Nothing was saved:",
    "Kommuner og kategorier": "Municipalities and categories",
    "Leverandører": "Suppliers",
    "Regionalt næringsliv": "Regional business",
    "Kommunestruktur": "Municipal structure",
    "Dagens kommuner": "Today's municipalities",
    "Historisk (Verran egen i 2019)": "Historical (Verran separate in 2019)",
    "Vis": "Show",
    "Kroner": "NOK",
    "Kroner per innbygger": "NOK per inhabitant",
    "Tidsinndeling": "Time grain",
    "Måned": "Month",
    "Innkjøp": "Spend",
    "Per innbygger": "Per inhabitant",
    "Kategorier med kjøp": "Categories with spend",
    "Innkjøp per kommune og kategori": "Spend per municipality and category",
    "Kategoritreet etter innkjøp": "Category tree by spend",
    "Innkjøp per innbygger": "Spend per inhabitant",
    "Utvikling": "Trend",
    "Fra kategori til leverandør og faktura": "From category to supplier and invoice",
    "Kategori": "Category",
    "Leverandør": "Supplier",
    "Side": "Page",
    "Innbyggertall (administrator)": "Population (administrator)",
    "Lagre innbyggertall": "Save population",
    "Leverandører med kjøp": "Suppliers with spend",
    "De fem største (CR5)": "Five largest (CR5)",
    "Halespend (klasse C)": "Tail spend (class C)",
    "Kategorier med avhengighet": "Categories with a dependency",
    "De 15 største leverandørene": "The 15 largest suppliers",
    "Paretokurven: hvor få leverandører står for det meste": "Pareto curve: how few suppliers account for most",
    "Toppleverandører": "Top suppliers",
    "ABC-klasser: mange små, få store": "ABC classes: many small, few large",
    "Konsentrasjon per kategori (HHI)": "Concentration per category (HHI)",
    "Per kategori": "Per category",
    "I egen kommune": "In own municipality",
    "Små og mellomstore (SMB)": "Small and medium-sized (SME)",
    "Ukjent hjemkommune": "Home municipality unknown",
    "Hvor kommunene handler: leverandørens hjemsted": "Where the municipalities buy: supplier's home",
    "Hvor kjøpene i hver kategori går": "Where each category's spend goes",
    "Andel hos små og mellomstore leverandører (SMB)": "Share with small and medium-sized suppliers (SME)",
    "Store kjøp utenfor regionen der regionale alternativer finnes": "Large purchases outside the region where regional alternatives exist",
}


def lang() -> str:
    value = st.query_params.get("lang", "nb")
    return value if value in ("nb", "en") else "nb"


def t(text: str) -> str:
    """Translate a bokmål UI string for the current language."""
    return EN.get(text, text) if lang() == "en" else text
