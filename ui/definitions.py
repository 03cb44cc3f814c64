"""Every long help text of the pages — the definitions of the figures — in one place.

Written in bokmål, as a user reads them; a page shows them through the translator
(``translated(...)`` or ``t(...)``), and the English is in ``ui/i18n.py`` (block ``issue 9``).
Short labels stay beside the widget that shows them.
"""

from __future__ import annotations

from ui.i18n import t

OVERVIEW = {
    "spend": "Sum beløp eks. mva. på kjøpskontoer (KOSTRA-art), kreditnotaer trukket fra.",
    "change": "Endring fra samme periode året før.",
    "regional": "Andel av kjøp hos leverandører med hovedkontor i en medlemskommune, av kjøp "
    "der leverandørens hjemkommune er kjent.",
    "coverage": "Andel av kjøpene som er fakturert under en aktiv rammeavtale der kommunen deltar.",
    "savings": "Avtalekjøp × r/(1 − r) for avtalens besparelsesgrad r, mot målet "
    "for perioden (årsmål forholdsmessig).",
    "ehandel": "Andel av kjøpene (beløp) som kom gjennom e-handelssystemet.",
    "intra": "Kjøp fra staten, fylkeskommuner, kommuner, IKS og KF – holdt utenfor kjøpstallene.",
}

SAVINGS = {
    "realized": "Realisert gevinst = avtalekjøp × r/(1 − r), der r er avtalens besparelsesgrad "
    "mot nullpunktet (eller avtalekjøp × P/E for en avtale med gevinst P kr per år på "
    "estimert årsverdi E).",
    "target": "Målet er årlig; for en kortere periode regnes det forholdsmessig per måned.",
    "projected": "Forventet gevinst = estimert årsverdi × r/(1 − r) (eller P), fordelt på dagene "
    "avtalen er aktiv i perioden.",
    "loyalty": "Lojalitet = andel av kjøpene i avtalens kategori, i deltakerkommunene mens avtalen "
    "gjelder, som går til avtalens leverandører.",
    "hard": "Hard gevinst er lavere pris som gir lavere utgift; kostnadsunngåelse er en "
    "prisøkning som ble unngått.",
}

AGREEMENTS = {
    "coverage": "Avtaledekning = kjøp på fakturalinjer knyttet til en aktiv avtale (leverandøren "
    "er part, datoen er innenfor avtaleperioden og kommunen deltar) / alle kjøp.",
    "loyalty": "Avtalelojalitet = kjøp i kategorien hos avtalens leverandører / alle kjøp i "
    "kategorien, i deltakerkommunene og månedene avtalen gjelder.",
    "outside": "Kjøp uten treff på en aktiv avtale for kjøperkommunen.",
    "ehandel": "E-handelsandel = kjøp registrert gjennom e-handelssystemet / alle kjøp.",
    "watch": "Kjøp uten avtale hos én leverandør innen 12 måneder (per kommune og samlet) mot "
    "terskelverdien som gjaldt ved vinduets slutt, og 48 måneder mot EØS-terskelen. Beregnet på "
    "månedssummer. Et flagg betyr at kjøpene **krever vurdering** – ikke at regelverket er brutt.",
}

# Avtaler's tabs, in order (bokmål; shown through t(...), and the label is the ?fane= value).
AGREEMENT_TABS = (
    "Dekning og lojalitet",
    "Utenfor avtale",
    "Terskelvakt",
    "Utløper snart",
    "E-handel",
    "Avtaleregister",
)

# Leverandører's tabs, in order (bokmål; shown through t(...), and the label is the ?fane= value).
SUPPLIER_TABS = (
    "Toppleverandører",
    "ABC-klasser og halespend",
    "Per kategori (HHI)",
    "Avhengighet",
)

THRESHOLD_LEVELS = {
    "national": "Nasjonal terskel og over",
    "eea": "Bare EØS-terskel",
    "regulation": "Fra forskriftens nedre grense (100 000 kr)",
}

REGISTER_HELP = {
    "ref": "Avtalenummer, unikt",
    "suppliers": "Organisasjonsnummer, skilt med mellomrom",
    "municipalities": "Dagens kommunenummer, skilt med komma; tomt = alle medlemmer",
    "savings_rate": "Besparelsesgrad r mot nullpunktet, f.eks. 0,05 for 5 %",
    "projected_saving_nok": "Eller: forventet gevinst i kroner per år (krever årsverdi)",
    "savings_type": "hard eller avoidance (kostnadsunngåelse)",
}

REGIONAL_INCLUDED = (
    "Alt kjøp er med, også uklassifisert; leverandører uten kjent hjemkommune (utenlandske, "
    "uten organisasjonsnummer, privatpersoner) står som «Utlandet eller ukjent»."
)

REGIONAL_HOME = (
    "Hjemkommune = forretningsadressen til hovedenheten i Enhetsregisteret, med dagens "
    "kommunenummer (Verrans kjøp i 2019 regnes som Steinkjers)."
)

MUNICIPALITIES_INCLUDED = "Uklassifisert kjøp og leverandører uten kjent identitet er med."

SUPPLIERS_COUNTED = (
    "Andeler regnes over alle leverandører med positivt netto kjøp – med organisasjonsnummer, "
    "ellers leverandørnummer eller navn; samleposter (f.eks. «Diverse leverandører»), "
    "privatpersoner og leverandører med negativt netto er holdt utenfor og talt opp for seg. "
    "Uklassifisert kjøp er med."
)


OPPORTUNITIES = {
    "addressable": "Kjøp utenfor avtale = kjøp (KOSTRA-kjøpskontoer) uten treff på en aktiv "
    "avtale for kjøperkommunen, privatpersoner holdt utenfor, de siste 12 månedene til og med "
    "periodens siste måned.",
    "potential": "Anslått besparelse per år = kjøp utenfor avtale siste 12 mnd. × r/(1 − r), "
    "samme formel som realisert gevinst. r er medianen av samarbeidets egne avtaler i "
    "kategorien, ellers standardsatsen for kategorigruppen; spennet bruker 25.–75. persentil "
    "(eller standardens lav–høy). Et anslag, ikke et løfte.",
    "threshold": "Samlet kjøp utenfor avtale i kategorien siste 12 og 48 måneder (alle "
    "kommunene i utvalget sammen; for én kommune dens egne kjøp) mot terskelverdiene som gjaldt "
    "ved vinduets slutt. Over terskelen krever en felles anskaffelse vurdering – det er ikke en "
    "juridisk konklusjon.",
    "members": "Antall medlemskommuner med kjøp utenfor avtale i kategorien siste 12 mnd. "
    "(alltid hele samarbeidet; ingen beløp fra andre kommuner vises).",
    "rank": "Rangering = vektet sum av potensial (mot det største), bredde (kommuner som kjøper "
    "/ alle medlemmer) og terskelstatus. Vektene står under «Vekter og standardsatser».",
    "gap": "Forventet realisert gevinst i år = realisert hittil + snittet for de siste 12 "
    "månedene × månedene som gjenstår. Senere år: snittet for de siste 12 månedene × 12. "
    "Kandidatene gir potensial/12 per måned fra startmåneden (anslag).",
}

# Help texts of single figures (``help=`` of a tile or a widget); ``{…}`` are filled in by the
# page after translation.
MUNICIPALITIES_HELP = {
    "per_inhabitant": "Innkjøp delt på innbyggertallet i de valgte kommunene, år for år og "
    "summert over perioden (SSB 07459, redigerbart av administrator).",
}

REGIONAL_HELP = {
    "regional": "Kjøp hos leverandører med hjemkommune i en medlemskommune (egen eller annen), "
    "av kjøp der hjemkommunen er kjent.",
    "sme": "Andel av kjøpene hos leverandører med færre enn {n} ansatte, av kjøp der antall "
    "ansatte er kjent (EU-definisjonen etter ansatte).",
    "unknown": "Andel av kjøpene der leverandørens hjemkommune ikke er kjent; holdt utenfor "
    "regional andel.",
}

SUPPLIERS_HELP = {
    "n_suppliers": "Leverandører (organisasjonsnummer, leverandørnummer eller navn) med "
    "positivt netto kjøp i utvalget; samleposter og privatpersoner ikke med.",
    "tail": "Klasse C: leverandørene etter de første {b} av kjøpene. Andel av kjøpene; {lines} "
    "av fakturalinjene.",
}

IMPORT_HELP = {
    "profile": "«auto» kjenner vanlige kolonnenavn; velg en profil for eksport fra Visma eller "
    "Unit4/Agresso, eller en profil lagret av dere.",
    "without_orgnr": "{part} av {total} er kjøp der leverandøren bare er kjent ved "
    "leverandørnummer eller navn (utenlandske, privatpersoner, feil i nummeret).",
    "aliases": "{n} ekstra skrivemåter av navnet er samlet under samme organisasjonsnummer.",
    "reread": "Når en fil er lest med feil kontooppsett: art, utgiftsklasse, kategori og "
    "område leses på nytt fra de lagrede kontoene, uten ny import.",
}


def translated(texts: dict[str, str]) -> dict[str, str]:
    """The same keys with each text in the user's language."""
    return {key: t(text) for key, text in texts.items()}
