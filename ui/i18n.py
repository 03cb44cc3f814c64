"""UI text: Norwegian bokmål first, English when the URL says ``lang=en``.

Keys are the bokmål strings themselves, so pages read naturally and a missing translation
falls back to bokmål rather than to a key.

Messages from ``data_access`` (import and validation reasons, refusals, errors) are bokmål
with values in them ("dato «31.02.2025» kan ikke tolkes"); :data:`MESSAGES` holds their
templates, ``{}`` where a value goes, and :func:`t` translates them by template, the values
themselves translated again where they are fixed words.
"""

from __future__ import annotations

import re
from functools import cache

import polars as pl
import streamlit as st

from data_access.importing.quality import reason_group

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
    "Ingen leverandører over terskelverdiene uten avtale i utvalget.": (
        "No supplier without an agreement passes the thresholds in the selection."
    ),
    "Vis fakturalinjene bak": "Show the invoice lines behind",
    "Vis fakturalinjene": "Show the invoice lines",
    "Slå på for å se fakturalinjene bak kategorien, nyeste først.": (
        "Switch on to see the invoice lines behind the category, newest first."
    ),
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
    "ABC-klasser og halespend": "ABC classes and tail spend",
    "Per kategori (HHI)": "Per category (HHI)",
    "Avhengighet": "Dependency",
    "Andel av linjene": "Share of lines",
    "I egen kommune": "In own municipality",
    "Små og mellomstore (SMB)": "Small and medium-sized (SME)",
    "Ukjent hjemkommune": "Home municipality unknown",
    "Hvor kommunene handler: leverandørens hjemsted": "Where the municipalities buy: supplier's home",
    "Hvor kjøpene i hver kategori går": "Where each category's spend goes",
    "Andel hos små og mellomstore leverandører (SMB)": "Share with small and medium-sized suppliers (SME)",
    "Store kjøp utenfor regionen der regionale alternativer finnes": "Large purchases outside the region where regional alternatives exist",
    "Tilgang": "Access",
    "Data til og med": "Data up to",
    "Ingen regnskapsdata ennå": "No ledger data yet",
    "fiktive tall, ikke ekte regnskap.": "fictional figures, not real accounts.",
    "(valgt periode uthevet)": "(selected period highlighted)",
    "Brukere": "Users",
    "Revisjonsspor": "Audit trail",
    "Kategorier og klassifiseringsregler": "Categories and classification rules",
    "Største leverandører i": "Largest suppliers in",
    "Innkjøp per": "Spend per",
    "mot samme periode året før": "against the same period last year",
    "Innkjøp per kommune per": "Spend per municipality per",
    "Utvikling per kvartal (valgt periode markert)": "Trend per quarter (selected period marked)",
    "Innstillinger: ABC-grenser og avhengighet": "Settings: ABC cut-offs and dependency",
    "Avhengighet: én leverandør over": "Dependency: one supplier above",
    "Importer regnskapsuttrekk": "Import ledger exports",
    "Datakvalitet": "Data quality",
    "Importlogg": "Import log",
    "Uten gyldig organisasjonsnummer": "Without a valid organisation number",
    "Uklassifisert": "Unclassified",
    "Leverandører slått sammen": "Suppliers merged",
    "Rader i karantene": "Rows in quarantine",
    "Rader lest": "Rows read",
    "Lagret": "Stored",
    "I karantene": "Quarantined",
    "Utelatt etter regel": "Excluded by rule",
    "Karantene": "Quarantine",
    "rader": "rows",
    "Pengestrømmer: kjøpende kommune × leverandørens hjemkommune": "Flows: buying municipality × supplier's home municipality",
    # --- issue 9 ---
    "lav": "low",
    "moderat": "moderate",
    "høy": "high",
    # --- issue 13 ---
    "Muligheter": "Opportunities",
    "Neste felles anskaffelser": "Next joint tenders",
    "Anslått potensial mot kjøp utenfor avtale per kategori": "Estimated potential against spend outside agreements per category",
    "Anslått potensial, topp 10": "Estimated potential, top 10",
    "Antall kandidater fra toppen av listen": "Number of candidates from the top of the list",
    "Avtaler som utløper innen 12 mnd.": "Agreements expiring within 12 months",
    "Begrunnelse": "Reasons",
    "Boblens størrelse = antall kommuner som kjøper; strek = spennet i anslaget.": "Bubble size = number of municipalities buying; bar = range of the estimate.",
    "Bredde": "Breadth",
    "Fakturalinjene krever tilgang til linjenivå.": "The invoice lines require line-level access.",
    "Forventet gevinst per år med kandidatene (anslag)": "Expected savings per year with the candidates (estimate)",
    "Gap til målet": "Gap to the target",
    "Ingen kjøp utenfor avtale i utvalget.": "No spend outside agreements in the selection.",
    "Kandidatenes potensial per år (anslag)": "The candidates' potential per year (estimate)",
    "Kategoriens leverandører og fakturalinjer": "The category's suppliers and invoice lines",
    "Kategorier over EØS-terskel": "Categories above the EEA threshold",
    "Kjøp utenfor avtale siste 12 mnd.": "Spend outside agreements, last 12 months",
    "Konkurransene gir effekt fra": "The tenders take effect from",
    "Lagre standardsatser": "Save default rates",
    "Lagre vekter": "Save weights",
    "Leverandører med kjøp utenfor avtale i kategorien siste 12 mnd.": "Suppliers with spend outside agreements in the category, last 12 months.",
    "Målgapet": "The target gap",
    "Nådd": "Reached",
    "Potensial (anslag)": "Potential (estimate)",
    "Potensial": "Potential",
    "Rang": "Rank",
    "Spenn (anslag)": "Range (estimate)",
    "Standardsatsene er lagret.": "The default rates are saved.",
    "Terskel": "Threshold",
    "Terskelstatus": "Threshold status",
    "Utenfor avtale 12 mnd.": "Outside agreements 12 months",
    "Vektene er lagret.": "The weights are saved.",
    "Vekter og standardsatser": "Weights and default rates",
    "Forventet realisert gevinst": "Expected realized savings",
    "av målet": "of the target",
    "anslag": "estimate",
    "Siste 12 mnd.": "Last 12 months",
    "Potensial er anslag.": "Potential is an estimate.",
    "Bare din kommunes kjøp.": "Your municipality's purchases only.",
    "Kommuneantall gjelder hele samarbeidet.": "Municipality counts are the whole cooperation's.",
    "Hvor bør medlemmene kjøpe sammen neste gang? Kategorier med mye kjøp utenfor avtale, mange kjøpere og leverandører og høy samlet verdi står øverst.": "Where should the members buy together next? Categories with much spend outside agreements, many buyers and suppliers and a high joint value come first.",
    "Målgapet gjelder hele samarbeidets gevinstmål og vises uten kommuneutvalg.": "The target gap concerns the whole cooperation's savings target and is shown without a municipality selection.",
    "Målgapet gjelder hele samarbeidets gevinstmål og vises uten kommuneutvalg. Tallene over er din kommunes del.": "The target gap concerns the whole cooperation's savings target and is shown without a municipality selection. The figures above are your municipality's part.",
    "Standardsats r per kategorigruppe, brukt der samarbeidet ikke har egne avtaler i kategorien. «*» gjelder grupper uten egen sats.": "Default rate r per category group, used where the cooperation has no agreements of its own in the category. «*» applies to groups without their own rate.",
    "fakturalinjer i kategorien siste 12 mnd.": "invoice lines in the category, last 12 months",
    "med og uten avtale": "with and without agreement",
    "de 50 nyeste vises": "the 50 newest shown",
    "Kjøp utenfor avtale (KOSTRA-kjøpskontoer); uklassifisert kjøp og ukjente leverandører er med, privatpersoner er holdt utenfor. Potensial og målgap er anslag.": "Spend outside agreements (KOSTRA purchase accounts); unclassified spend and unknown suppliers included, private persons left out. Potential and target gap are estimates.",
    "Klikk en rad for å se kategoriens leverandører og fakturalinjer nedenfor.": (
        "Click a row to see the category's suppliers and invoice lines below."
    ),
    # --- end issue 13 ---
    # --- issue 10 ---
    "Privatpersoner": "Private persons",
    "Samleposter (pseudo-leverandører)": "Collective posts (pseudo-suppliers)",
    "Faste verdier for felt filen mangler": "Fixed values for fields the file lacks",
    "Kontooppsett": "Account layout",
    "Avtaledekning = kjøp på fakturalinjer knyttet til en aktiv avtale (leverandøren er part, datoen er innenfor avtaleperioden og kommunen deltar) / alle kjøp.": "Contract coverage = purchases on invoice lines linked to an active agreement (the supplier is a party, the date is within the agreement period and the municipality takes part) / all purchases.",
    "Avtalelojalitet = kjøp i kategorien hos avtalens leverandører / alle kjøp i kategorien, i deltakerkommunene og månedene avtalen gjelder.": "Agreement loyalty = purchases in the category from the agreement's suppliers / all purchases in the category, in the participating municipalities and the months the agreement applies.",
    "Kjøp uten treff på en aktiv avtale for kjøperkommunen.": "Purchases that match no active agreement of the buying municipality.",
    "E-handelsandel = kjøp registrert gjennom e-handelssystemet / alle kjøp.": "E-commerce share = purchases registered through the e-commerce system / all purchases.",
    "Kjøp uten avtale hos én leverandør innen 12 måneder (per kommune og samlet) mot terskelverdien som gjaldt ved vinduets slutt, og 48 måneder mot EØS-terskelen. Beregnet på månedssummer. Et flagg betyr at kjøpene **krever vurdering** – ikke at regelverket er brutt.": "Purchases without an agreement from one supplier within 12 months (per municipality and jointly) against the threshold in force at the end of the window, and 48 months against the EEA threshold. Computed on monthly sums. A flag means the purchases **need review** – not that the rules were broken.",
    "Uklassifisert kjøp og leverandører uten kjent identitet er med.": "Unclassified purchases and suppliers without a known identity are included.",
    "Sum beløp eks. mva. på kjøpskontoer (KOSTRA-art), kreditnotaer trukket fra.": "Sum of amounts excl. VAT on purchase accounts (KOSTRA art), credit notes deducted.",
    "Endring fra samme periode året før.": "Change from the same period the year before.",
    "Andel av kjøp hos leverandører med hovedkontor i en medlemskommune, av kjøp der leverandørens hjemkommune er kjent.": "Share of purchases from suppliers headquartered in a member municipality, of purchases where the supplier's home municipality is known.",
    "Andel av kjøpene som er fakturert under en aktiv rammeavtale der kommunen deltar.": "Share of purchases invoiced under an active framework agreement the municipality takes part in.",
    "Avtalekjøp × r/(1 − r) for avtalens besparelsesgrad r, mot målet for perioden (årsmål forholdsmessig).": "Agreement purchases × r/(1 − r) for the agreement's savings rate r, against the target for the period (yearly target prorated).",
    "Andel av kjøpene (beløp) som kom gjennom e-handelssystemet.": "Share of purchases (amount) that came through the e-commerce system.",
    "Kjøp fra staten, fylkeskommuner, kommuner, IKS og KF – holdt utenfor kjøpstallene.": "Purchases from the state, counties, municipalities, IKS and KF – kept out of the purchase figures.",
    "Hjemkommune = forretningsadressen til hovedenheten i Enhetsregisteret, med dagens kommunenummer (Verrans kjøp i 2019 regnes som Steinkjers).": "Home municipality = the business address of the main unit in the Central Coordinating Register, with today's municipality number (Verran's purchases in 2019 count as Steinkjer's).",
    "Alt kjøp er med, også uklassifisert; leverandører uten kjent hjemkommune (utenlandske, uten organisasjonsnummer, privatpersoner) står som «Utlandet eller ukjent».": "All purchases are included, unclassified too; suppliers without a known home municipality (foreign, without an organisation number, private persons) count as “Abroad or unknown”.",
    "Avtalenummer, unikt": "Agreement number, unique",
    "Organisasjonsnummer, skilt med mellomrom": "Organisation numbers, separated by spaces",
    "Dagens kommunenummer, skilt med komma; tomt = alle medlemmer": "Today's municipality numbers, separated by commas; empty = all members",
    "Besparelsesgrad r mot nullpunktet, f.eks. 0,05 for 5 %": "Savings rate r against the baseline, e.g. 0.05 for 5 %",
    "Eller: forventet gevinst i kroner per år (krever årsverdi)": "Or: expected saving in NOK per year (needs the annual value)",
    "hard eller avoidance (kostnadsunngåelse)": "hard or avoidance (cost avoidance)",
    "Realisert gevinst = avtalekjøp × r/(1 − r), der r er avtalens besparelsesgrad mot nullpunktet (eller avtalekjøp × P/E for en avtale med gevinst P kr per år på estimert årsverdi E).": "Realized saving = agreement purchases × r/(1 − r), where r is the agreement's savings rate against the baseline (or agreement purchases × P/E for an agreement saving P NOK a year on an estimated annual value E).",
    "Målet er årlig; for en kortere periode regnes det forholdsmessig per måned.": "The target is yearly; for a shorter period it is prorated by month.",
    "Forventet gevinst = estimert årsverdi × r/(1 − r) (eller P), fordelt på dagene avtalen er aktiv i perioden.": "Expected saving = estimated annual value × r/(1 − r) (or P), spread over the days the agreement is active in the period.",
    "Lojalitet = andel av kjøpene i avtalens kategori, i deltakerkommunene mens avtalen gjelder, som går til avtalens leverandører.": "Loyalty = share of purchases in the agreement's category, in the participating municipalities while the agreement applies, that go to the agreement's suppliers.",
    "Hard gevinst er lavere pris som gir lavere utgift; kostnadsunngåelse er en prisøkning som ble unngått.": "A hard saving is a lower price that lowers spending; cost avoidance is a price increase that was avoided.",
    "Andeler regnes over alle leverandører med positivt netto kjøp – med organisasjonsnummer, ellers leverandørnummer eller navn; samleposter (f.eks. «Diverse leverandører»), privatpersoner og leverandører med negativt netto er holdt utenfor og talt opp for seg. Uklassifisert kjøp er med.": "Shares are computed over all suppliers with positive net purchases – by organisation number, else supplier number or name; collective posts (e.g. «Diverse leverandører»), private persons and suppliers with negative net are left out and counted separately. Unclassified purchases are included.",
    "Nasjonal terskel og over": "National threshold and above",
    "Bare EØS-terskel": "EEA threshold only",
    "Fra forskriftens nedre grense (100 000 kr)": "From the regulation's lower limit (NOK 100 000)",
    # --- issue 13 definitions ---
    "Kjøp utenfor avtale = kjøp (KOSTRA-kjøpskontoer) uten treff på en aktiv avtale for kjøperkommunen, privatpersoner holdt utenfor, de siste 12 månedene til og med periodens siste måned.": "Spend outside agreements = purchases (KOSTRA purchase accounts) not matched to an active agreement for the buying municipality, private persons left out, over the 12 months up to and including the period's last month.",
    "Anslått besparelse per år = kjøp utenfor avtale siste 12 mnd. × r/(1 − r), samme formel som realisert gevinst. r er medianen av samarbeidets egne avtaler i kategorien, ellers standardsatsen for kategorigruppen; spennet bruker 25.–75. persentil (eller standardens lav–høy). Et anslag, ikke et løfte.": "Estimated saving per year = spend outside agreements in the last 12 months × r/(1 − r), the same formula as realized savings. r is the median of the cooperation's own agreements in the category, else the default rate of the category group; the range uses the 25th–75th percentile (or the default's low–high). An estimate, not a promise.",
    "Samlet kjøp utenfor avtale i kategorien siste 12 og 48 måneder (alle kommunene i utvalget sammen; for én kommune dens egne kjøp) mot terskelverdiene som gjaldt ved vinduets slutt. Over terskelen krever en felles anskaffelse vurdering – det er ikke en juridisk konklusjon.": "Joint spend outside agreements in the category over the last 12 and 48 months (all municipalities in the selection together; for one municipality its own purchases) against the thresholds in force at the window's end. Above the threshold a joint procurement needs review – it is not a legal finding.",
    "Antall medlemskommuner med kjøp utenfor avtale i kategorien siste 12 mnd. (alltid hele samarbeidet; ingen beløp fra andre kommuner vises).": "Number of member municipalities with spend outside agreements in the category in the last 12 months (always the whole cooperation; no amounts from other municipalities are shown).",
    "Rangering = vektet sum av potensial (mot det største), bredde (kommuner som kjøper / alle medlemmer) og terskelstatus. Vektene står under «Vekter og standardsatser».": "Rank = weighted sum of potential (against the largest), breadth (municipalities buying / all members) and threshold status. The weights are under «Weights and default rates».",
    "Forventet realisert gevinst i år = realisert hittil + snittet for de siste 12 månedene × månedene som gjenstår. Senere år: snittet for de siste 12 månedene × 12. Kandidatene gir potensial/12 per måned fra startmåneden (anslag).": "Expected realized saving this year = realized so far + the average of the last 12 months × the months remaining. Later years: the average of the last 12 months × 12. The candidates give potential/12 per month from the start month (estimate).",
    # --- issue 11 ---
    "Innlogging: sperrer og økter": "Login: locks and sessions",
    "Ingen brukere eller adresser er sperret nå.": "No user or address is locked now.",
    "Opphev sperre for": "Unlock",
    "Opphev sperre": "Unlock",
    "Sperren er opphevet": "Lock lifted",
    "Logg ut overalt": "Log out everywhere",
    "Alle innlogginger er avsluttet for": "Every session ended for",
    "Databasen er ikke tilgjengelig": "The database is unavailable",
    "Tallene vises igjen så snart den er tilbake – last siden på nytt om litt. "
    "Feilen er logget for driftsansvarlig.": "The figures return as soon as it is back – "
    "reload the page in a moment. The error has been logged for the operators.",
    # --- issue 14 ---
    "Hopp til innholdet": "Skip to content",
    # --- issue 12 ---
    "Lagrer og kobler alle fakturalinjer til avtalene på nytt …": (
        "Saving and matching every invoice line to the agreements again …"
    ),
    "Ingen leverandører er holdt utenfor andelene.": "No suppliers are left out of the shares.",
    "Klasse A til (%)": "Class A up to (%)",
    "Klasse B til (%)": "Class B up to (%)",
    "Avhengighet når én leverandør har over (%)": "Dependency when one supplier has over (%)",
    "Ingen kategori har én leverandør over grensen.": "No category has one supplier above the limit.",
    "Holdt utenfor andelene:": "Left out of the shares:",
    "Org.nr.": "Org. no.",
    "Klasse": "Class",
    "Hovedkategori": "Main category",
    "Nivå (tommelfingerregel)": "Level (rule of thumb)",
    "Største leverandør": "Largest supplier",
    "største": "largest",
    "leverandører": "suppliers",
    "Beløp (kr)": "Amount (NOK)",
    "Beløp": "Amount",
    "Andel": "Share",
    "Linjer": "Lines",
    "Tilsvarer antall": "Equivalent number",
    "Utenfor andelene (kr)": "Outside the shares (NOK)",
    "Kategoriens kjøp (kr)": "Category spend (NOK)",
    "Leverandører i kategorien": "Suppliers in the category",
    "Eksport": "Export",
    "Kvartalsrapporten samler alle standardfigurene for kvartalet og hittil i år: "
    "PDF-rapport, PowerPoint, hver figur som PNG og SVG, Excel med dataene og et manifest. "
    "Den lages med din tilgang. Enkeltfigurer lastes ned under hver figur.": (
        "The quarterly report holds every standard chart for the quarter and the year to date: "
        "a PDF report, PowerPoint, each chart as PNG and SVG, Excel with the data and a "
        "manifest. It is made with your access. Single charts are downloaded under each chart."
    ),
    "Lag kvartalsrapport": "Make the quarterly report",
    "Ingen hele kvartaler med data ennå.": "No complete quarters with data yet.",
    "Last ned kvartalsrapporten (zip)": "Download the quarterly report (zip)",
    "Starter …": "Starting …",
    "Ferdig": "Done",
    "filer i rapporten": "files in the report",
    "Ingen kjøp i utvalget.": "No spend in the selection.",
    "Fakturalinjer vises ikke for din rolle. Be en administrator om tilgang til linjedetaljer "
    "om du trenger dem.": (
        "Invoice lines are not shown for your role. Ask an administrator for line-level access "
        "if you need them."
    ),
    "Innbyggere per kommunenummer og år (SSB tabell 07459), med nummeret som gjaldt det året: "
    "Verran (5039) og Steinkjer (5004) hver for seg i 2019. Endringer logges.": (
        "Inhabitants per municipality number and year (Statistics Norway table 07459), with "
        "the number in use that year: Verran (5039) and Steinkjer (5004) apart in 2019. "
        "Changes are logged."
    ),
    "fakturalinjer": "invoice lines",
    "side": "page",
    "av": "of",
    "nyeste først": "newest first",
    "Kommune": "Municipality",
    "Konto": "Account",
    "Art": "Art",
    "Bilag": "Voucher",
    "Tekst": "Text",
    "Kategori satt av regel": "Category set by rule",
    "Alle leverandører i kategorien": "All suppliers in the category",
    "Dato": "Date",
    "Kommunenr.": "Municipality no.",
    "Navn": "Name",
    "Kilde": "Source",
    "Innbyggere": "Inhabitants",
    "Ingen treff: ingen av de største leverandørene utenfor regionen har samme næringskode som "
    "en regional leverandør dere allerede bruker.": (
        "No matches: none of the largest suppliers outside the region shares an industry code "
        "with a regional supplier you already use."
    ),
    "Ingen av leverandørene i utvalget har registrerte underenheter ennå. Last inn "
    "Enhetsregisterets fil over underenheter for å se om kjøp fra nasjonale firma går til en "
    "lokal avdeling.": (
        "None of the suppliers in the selection has registered sub-units yet. Load the "
        "Register of Legal Entities' sub-unit file to see whether purchases from national "
        "firms go to a local branch."
    ),
    "Hovedkontor eller lokal avdeling?": "Head office or local branch?",
    "Næringskode": "Industry code",
    "Hjemsted": "Home",
    "Eksempler (allerede brukt)": "Examples (already used)",
    "Etter avdelingens beliggenhet (underenheter)": "By the branch's location (sub-units)",
    "Regionale alternativer": "Regional alternatives",
    "Standardpresentasjon": "Standard presentation",
    "Presentasjon": "Presentation",
    "Fant ikke presentasjonen, eller den er ikke delt med deg.": (
        "The presentation was not found, or it is not shared with you."
    ),
    "Rediger presentasjonen": "Edit the presentation",
    "Del med andre (kun lesing)": "Share with others (read-only)",
    "Lagre": "Save",
    "Presentasjonen er tom. Bruk «Legg til i presentasjon» under en figur.": (
        "The presentation is empty. Use “Add to presentation” under a chart."
    ),
    "Forrige": "Previous",
    "Neste": "Next",
    "Ukjent figur i presentasjonen.": "Unknown chart in the presentation.",
    "Lysbilde": "Slide",
    "delt av": "shared by",
    "Kopier lenke": "Copy link",
    "Lenken åpner samme visning (etter innlogging, med mottakerens tilgang).": (
        "The link opens the same view (after login, with the recipient's access)."
    ),
    "Vis som tabell": "Show as table",
    "Bildet i dobbel oppløsning, for lysbilder": "The image at double resolution, for slides",
    "Legg til i presentasjon": "Add to presentation",
    "Last ned": "Download",
    "Lagt til i": "Added to",
    "fra året før": "from the year before",
    "av kommunens del av målet": "of the municipality's part of the target",
    "Mot kommunenes del av målet": "Against the municipalities' part of the target",
    "av medlemmenes felles innkjøp": "of the members' joint spend",
    "av fakturalinjene": "of the invoice lines",
    "Kjøp = KOSTRA-kjøpskontoer; uklassifisert kjøp og ukjente leverandører er med. "
    "Privatpersoner vises aldri med navn og er holdt utenfor terskelvakten.": (
        "Spend = KOSTRA purchase accounts; unclassified spend and unknown suppliers are "
        "included. Private persons are never shown by name and are left out of the threshold "
        "watch."
    ),
    "Uklassifisert kjøp og leverandører uten kjent identitet er med. Kjøp fra offentlige "
    "virksomheter er holdt utenfor.": (
        "Unclassified spend and suppliers without a known identity are included. Purchases "
        "from public bodies are left out."
    ),
    "Gevinst regnes av kjøp (KOSTRA-kjøpskontoer) som er knyttet til en aktiv avtale; "
    "uklassifisert kjøp og ukjente leverandører er med.": (
        "Savings are computed on spend (KOSTRA purchase accounts) matched to an active "
        "agreement; unclassified spend and unknown suppliers are included."
    ),
    "Andeler regnes over leverandører med organisasjonsnummer og positivt netto kjøp; "
    "leverandører uten organisasjonsnummer, privatpersoner og leverandører med negativt netto "
    "er holdt utenfor og talt opp for seg. Uklassifisert kjøp er med.": (
        "Shares are over suppliers with an organisation number and positive net spend; "
        "suppliers without an organisation number, private persons and suppliers with negative "
        "net are left out and counted apart. Unclassified spend is included."
    ),
    # --- fix-c ---
    "**Endre bruker**": "**Edit user**",
    "**Kategoritre** (nivå 1 › nivå 2)": "**Category tree** (level 1 › level 2)",
    "**Ny bruker**": "**New user**",
    "**Regler**": "**Rules**",
    "Aktiv": "Active",
    "Andel av alle kjøp hos leverandører i kjøpende kommune.": (
        "Share of all spend with suppliers in the purchasing municipality."
    ),
    "Andel av kjøpene der leverandørens hjemkommune ikke er kjent; holdt utenfor regional andel.": (
        "Share of spend where the supplier's home municipality is unknown; left out of the "
        "regional share."
    ),
    "Antall kategorier (nivå 2) med positivt netto kjøp i utvalget.": (
        "Number of categories (level 2) with positive net spend in the selection."
    ),
    "Art fra": "Account from",
    "Art til": "Account to",
    "Avtalenr.": "Agreement no.",
    "Bare administratorer har tilgang til denne siden.": "Only administrators can open this page.",
    "Besparelsesgrad": "Savings rate",
    "Bruk etter endring i kategoriregler; ingen ny import trengs.": (
        "Use after changing category rules; no new import is needed."
    ),
    "Bruker": "User",
    "Brukes når filen ikke har kolonne for kommunenummer.": (
        "Used when the file has no municipality number column."
    ),
    "CSV-, tekst- eller Excel-filer fra økonomisystemet": (
        "CSV, text or Excel files from the finance system"
    ),
    "De største leverandørene per kategori med hjemsted utenfor medlemskommunene, der minst én "
    "leverandør dere allerede handler med har samme næringskode (NACE) og hjemsted i en "
    "medlemskommune. Et utgangspunkt for markedsdialog, ikke en vurdering av om alternativet kan "
    "levere.": (
        "The largest suppliers per category based outside the member municipalities, where at "
        "least one supplier you already buy from has the same industry code (NACE) and is based "
        "in a member municipality. A starting point for market dialogue, not an assessment of "
        "whether the alternative can deliver."
    ),
    "Definisjon (TOML)": "Definition (TOML)",
    "Denne siden er bare for innkjøpskontoret (admin og analytiker).": (
        "This page is only for the procurement office (admin and analyst)."
    ),
    "Eier": "Owner",
    "En linje får kategori etter første regel som passer: leverandør → konto (art) → NACE → "
    "«Uklassifisert». Lagring kjører klassifiseringen på nytt for alle lagrede linjer; ingen ny "
    "import trengs.": (
        "A line gets its category from the first rule that matches: supplier → account (art) → "
        "NACE → “Unclassified”. Saving re-runs the classification for all stored lines; no new "
        "import is needed."
    ),
    "Estimert årsverdi (kr)": "Estimated annual value (NOK)",
    "EØS, bygg og anlegg (kr)": "EEA, works (NOK)",
    "EØS, varer og tjenester (kr)": "EEA, goods and services (NOK)",
    "Fjern fra listen": "Remove from the list",
    "Fjern": "Remove",
    "Forventet gevinst er avtalens anslag fordelt på deltakerkommunene etter innbyggertall; "
    "realisert gevinst og lojalitet gjelder kommunene i utvalget. Gevinstmålet gjelder hele "
    "samarbeidet.": (
        "Projected savings are the agreement's estimate split over the participating "
        "municipalities by population; realized savings and loyalty apply to the municipalities "
        "in the selection. The savings target applies to the whole partnership."
    ),
    "Frigi (ikke en person)": "Release (not a person)",
    "Frigi": "Release",
    "Gevinst per år (kr)": "Savings per year (NOK)",
    "Gevinsttype": "Savings type",
    "Gyldig fra": "Valid from",
    "Hvem gjorde hva og når: import, avtaler, brukere, referansedata.": (
        "Who did what and when: imports, agreements, users, reference data."
    ),
    "Hver kommunes gevinst regnes av kommunens egne avtalekjøp; summen er totalen.": (
        "Each municipality's savings are computed on its own agreement spend; the sum is the total."
    ),
    "Import": "Import",
    "Importer rettede rader": "Import corrected rows",
    "Importprofil": "Import profile",
    "Importprofiler": "Import profiles",
    "Ingen mistenkte privatpersoner.": "No suspected private persons.",
    "Ingen åpne rader i karantene.": "No open rows in quarantine.",
    "Innkjøp delt på innbyggertallet i de valgte kommunene, år for år og summert over perioden "
    "(SSB 07459, redigerbart av administrator).": (
        "Spend divided by the population of the selected municipalities, year by year and summed "
        "over the period (Statistics Norway 07459, editable by an administrator)."
    ),
    "Innkjøpsanalyse for Innherred innkjøp – logg inn for å se tallene.": (
        "Spend analysis for Innherred innkjøp – log in to see the figures."
    ),
    "Klassifiser alle linjer på nytt": "Reclassify all lines",
    "Kolonner som i tabellen over (eller norske overskrifter: avtalenr, navn, kategori, start, "
    "slutt, …). Rader oppdateres etter avtalenummer; andre avtaler beholdes. Er én rad ugyldig, "
    "lagres ingenting.": (
        "Columns as in the table above (or Norwegian headings: avtalenr, navn, kategori, start, "
        "slutt, …). Rows are updated by agreement number; other agreements are kept. If one row "
        "is invalid, nothing is saved."
    ),
    "Kommune for hele filen": "Municipality for the whole file",
    "Kommuner (for rollen kommune)": "Municipalities (for the municipality role)",
    "Lagre endringer": "Save changes",
    "Lagre kategoritreet": "Save the category tree",
    "Lagre profil": "Save profile",
    "Lagre regler og klassifiser på nytt": "Save rules and reclassify",
    "Last ned karantenelisten (CSV)": "Download the quarantine list (CSV)",
    "Leder kan se fakturalinjer": "Manager can see invoice lines",
    "Legg til": "Add",
    "Les kontoene på nytt med kontooppsett": "Re-read the accounts with account layout",
    "Les på nytt": "Re-read",
    "Leverandør (orgnr:…)": "Supplier (orgnr:…)",
    "Leverandører (organisasjonsnummer, leverandørnummer eller navn) med positivt netto kjøp i "
    "utvalget; samleposter og privatpersoner ikke med.": (
        "Suppliers (organisation number, supplier number or name) with positive net spend in the "
        "selection; collective entries and private persons not included."
    ),
    "Linjene viser hvor mye som er spart hittil i hvert år, måned for måned; inneværende år er "
    "uthevet, og den prikkede linjen fremskriver det til desember.": (
        "The lines show how much has been saved so far in each year, month by month; the current "
        "year is highlighted, and the dotted line projects it to December."
    ),
    "Merknad": "Note",
    "Nasjonal terskel (kr)": "National threshold (NOK)",
    "Navn på profilen": "Profile name",
    "Navn som ser ut som personnavn (uten organisasjonsnummer og uten merking) vises som "
    "«Privatperson» overalt. Bare administratorer ser navnene her. Frigi en leverandør som ikke "
    "er en person; den vises da med navn og telles i alle tall. Rader merket som privatperson og "
    "fødselsnumre vises aldri med navn.": (
        "Names that look like personal names (without an organisation number and unmarked) are "
        "shown as “Private person” everywhere. Only administrators see the names here. Release a "
        "supplier that is not a person; it is then shown by name and counted in all figures. "
        "Rows marked as private persons and national identity numbers are never shown by name."
    ),
    "Nedre grense (kr)": "Lower limit (NOK)",
    "Nivå 1": "Level 1",
    "Nivå 2": "Level 2",
    "Nullpunkt": "Baseline",
    "Nytt passord (tomt = uendret)": "New password (empty = unchanged)",
    "Nyttig etter at referansedata (kommuner, kontoer) er rettet.": (
        "Useful after reference data (municipalities, accounts) has been corrected."
    ),
    "Når en fil er lest med feil kontooppsett: art, utgiftsklasse, kategori og område leses på "
    "nytt fra de lagrede kontoene, uten ny import.": (
        "When a file was read with the wrong account layout: account type, expense class, "
        "category and area are re-read from the stored accounts, without a new import."
    ),
    "Opprett bruker": "Create user",
    "Opprettet": "Created",
    "Poster som ikke er én leverandør («Diverse leverandører», engangsleverandør, kontant/kort) "
    "holdes utenfor HHI, CR, ABC og Pareto og telles for seg. Navn sammenlignes uten store/små "
    "bokstaver og selskapsform, nummer er ERP-ets leverandørnummer, mønster er et regulært "
    "uttrykk mot navnet.": (
        "Entries that are not one supplier (“Diverse leverandører”, one-off supplier, cash/card) "
        "are left out of HHI, CR, ABC and Pareto and counted apart. Names are compared ignoring "
        "case and company form, number is the ERP's supplier number, pattern is a regular "
        "expression matched against the name."
    ),
    "Prioritet": "Priority",
    "Prøv alle på nytt uten endring": "Retry all without changes",
    "Rediger direkte i tabellen (legg til eller slett rader) og lagre. Alle endringer logges, og "
    "avtalekoblingen av alle fakturalinjer beregnes på nytt.": (
        "Edit directly in the table (add or delete rows) and save. Every change is logged, and "
        "the agreement matching of all invoice lines is recomputed."
    ),
    "Rett verdiene direkte i tabellen (de 500 første radene), eller last ned hele listen.": (
        "Correct the values directly in the table (the first 500 rows), or download the whole list."
    ),
    "Rett verdiene i filen (behold kolonnen karantene_id), og last den opp igjen. Rader som "
    "fortsatt har feil blir stående med ny årsak.": (
        "Correct the values in the file (keep the karantene_id column) and upload it again. Rows "
        "that still have errors stay with a new reason."
    ),
    "Rettet karanteneliste": "Corrected quarantine list",
    "Rolle": "Role",
    "Siste feil (UTC)": "Last failure (UTC)",
    "Slutt med opsjoner": "End with options",
    "Slutt": "End",
    "Sperret til (UTC)": "Locked until (UTC)",
    "Startpassord (minst 8 tegn)": "Initial password (at least 8 characters)",
    "Ta utgangspunkt i": "Start from",
    "Tidspunkt (UTC)": "Time (UTC)",
    "Velg kommuner": "Choose municipalities",
    "Verdi": "Value",
    "«auto» kjenner vanlige kolonnenavn; velg en profil for eksport fra Visma eller "
    "Unit4/Agresso, eller en profil lagret av dere.": (
        "“auto” knows common column names; choose a profile for exports from Visma or "
        "Unit4/Agresso, or a profile you have saved."
    ),
    "Brukeren {name} er opprettet.": "The user {name} has been created.",
    "Kunne ikke opprette brukeren:": "Could not create the user:",
    "Endringene for {name} er lagret.": "The changes for {name} have been saved.",
    "Kunne ikke lagre:": "Could not save:",
    "Lagret: {added} nye, {changed} endret, {removed} fjernet.": (
        "Saved: {added} new, {changed} changed, {removed} removed."
    ),
    "Lagret: {changed} endret, {added} nye, {removed} fjernet.": (
        "Saved: {changed} changed, {added} new, {removed} removed."
    ),
    "Ikke lagret:": "Not saved:",
    "{rules} regler lagret; {changed} av {lines} linjer fikk ny kategori.": (
        "{rules} rules saved; {changed} of {lines} lines got a new category."
    ),
    "Frigitt: {name} vises nå med navn.": "Released: {name} is now shown by name.",
    "Ikke frigitt:": "Not released:",
    "Lagt til:": "Added:",
    "Ikke lagt til:": "Not added:",
    "Fjernet:": "Removed:",
    "{n} fakturalinjer uten avtale, sum {total}": "{n} invoice lines without agreement, total {total}",
    " – de {n} største vises.": " – the {n} largest are shown.",
    "{n} terskelrader lagret.": "{n} threshold rows saved.",
    "Avtaler der gjeldende periode slutter mellom {today} og 12 måneder frem. «Kjøpt siste 12 "
    "mnd» er avtalekjøp de siste 12 månedene med data i din tilgang.": (
        "Agreements whose current period ends between {today} and 12 months ahead. “Bought last "
        "12 months” is agreement spend in the last 12 months with data in your access."
    ),
    "Siste år er til og med {month} {year}.": "The last year runs through {month} {year}.",
    "Hele historikken vises; perioden velger ikke år her.": (
        "The whole history is shown; the period does not select years here."
    ),
    "Nye: {created}, endret: {updated}, slettet: {deleted}.": (
        "New: {created}, changed: {updated}, deleted: {deleted}."
    ),
    "{n} linjer er nå knyttet til avtaler.": "{n} lines are now matched to agreements.",
    "Lys celle = lav dekning.": "Light cell = low coverage.",
    "Rødt = under 60 %.": "Red = below 60%.",
    "Tallet etter beløpet er antall leverandører.": "The number after the amount is the number of suppliers.",
    "starter …": "starting …",
    "importen feilet ({error}). Ingenting er lagret.": "the import failed ({error}). Nothing was saved.",
    "importen feilet – {error}. Ingenting er lagret.": "the import failed – {error}. Nothing was saved.",
    "Profilen er ikke lagret:": "The profile was not saved:",
    "Profilen «{name}» er lagret.": "The profile “{name}” has been saved.",
    "Lagret beløp {amount} · nye leverandører {new} · profil {profile} · ": (
        "Stored amount {amount} · new suppliers {new} · profile {profile} · "
    ),
    "Filen er importert før (import {batch}); ingen rader ble lagret på nytt.": (
        "The file was imported before (import {batch}); no rows were stored again."
    ),
    "{part} av {total} er kjøp der leverandøren bare er kjent ved leverandørnummer eller navn "
    "(utenlandske, privatpersoner, feil i nummeret).": (
        "{part} of {total} is spend where the supplier is only known by supplier number or name "
        "(foreign, private persons, errors in the number)."
    ),
    "{amount} har kategorien «Uklassifisert».": "{amount} has the category “Unclassified”.",
    "{n} ekstra skrivemåter av navnet er samlet under samme organisasjonsnummer.": (
        "{n} extra spellings of the name are merged under the same organisation number."
    ),
    "Importer {n} endrede rader": "Import {n} changed rows",
    "{changed} av {lines} linjer endret.": "{changed} of {lines} lines changed.",
    "{changed} av {lines} linjer fikk ny kategori.": "{changed} of {lines} lines got a new category.",
    "Sum beløp eks. mva. på kjøpskontoer, kreditnotaer trukket fra.": (
        "Sum of amounts excl. VAT on purchase accounts, credit notes deducted."
    ),
    "Kjøp hos leverandører med færre enn {n} ansatte, av kjøp der antall ansatte er kjent "
    "({unknown} ukjent, holdt utenfor). Uklassifisert kjøp er med.": (
        "Spend with suppliers with fewer than {n} employees, of spend where the number of "
        "employees is known ({unknown} unknown, left out). Unclassified spend is included."
    ),
    "Samme kjøp fordelt etter hovedkontorets og etter nærmeste registrerte avdelings "
    "beliggenhet ({n} leverandører har underenheter).": (
        "The same spend split by the location of the head office and of the nearest registered "
        "branch ({n} suppliers have sub-units)."
    ),
    "Kjøp hos leverandører med hjemkommune i en medlemskommune (egen eller annen), av kjøp der "
    "hjemkommunen er kjent.": (
        "Spend with suppliers whose home municipality is a member municipality (own or other), "
        "of spend where the home municipality is known."
    ),
    "Andel av kjøpene hos leverandører med færre enn {n} ansatte, av kjøp der antall ansatte er "
    "kjent (EU-definisjonen etter ansatte).": (
        "Share of spend with suppliers with fewer than {n} employees, of spend where the number "
        "of employees is known (the EU definition by employees)."
    ),
    "Andel av kjøpene på de fem nivåene: egen kommune, annen medlemskommune, resten av {county}, "
    "resten av Norge, utlandet eller ukjent.": (
        "Share of spend at the five levels: own municipality, other member municipality, rest of "
        "{county}, rest of Norway, abroad or unknown."
    ),
    "Største kategori øverst.": "Largest category at the top.",
    "{n} aktive avtaler har ingen avtalekjøp i utvalget – de står nederst i tabellen.": (
        "{n} active agreements have no agreement spend in the selection – they are at the "
        "bottom of the table."
    ),
    "Hvert år fra 2019 med den valgte kommune-, kategori- og områdeavgrensningen (perioden "
    "velger ikke år her).": (
        "Every year from 2019 with the selected municipality, category and area filter (the "
        "period does not select years here)."
    ),
    "Målet for perioden er {target}.": "The target for the period is {target}.",
    "**{year}:** {to_date} realisert til og med {month}. Med snittet for de siste 12 månedene "
    "({average} per måned) blir året **{year_end}** – {share} av {goal} på {target}.": (
        "**{year}:** {to_date} realized through {month}. At the average of the last 12 months "
        "({average} per month) the year ends at **{year_end}** – {share} of {goal} of {target}."
    ),
    "målet": "the target",
    "samarbeidets mål": "the partnership's target",
    "Målet er nå {target} per år.": "The target is now {target} per year.",
    "En høy andel kan være riktig (én rammeavtale), men bør være et bevisst valg.": (
        "A high share can be right (one framework agreement), but should be a deliberate choice."
    ),
    "Netto kjøp per leverandør (navn fra Enhetsregisteret), andel av kjøpene; fargen er "
    "ABC-klassen.": (
        "Net spend per supplier (names from the Central Coordinating Register), share of spend; "
        "the colour is the ABC class."
    ),
    "Samlet andel av kjøpene når leverandørene legges til fra den største. Stiplet linje: {a} "
    "(grensen for klasse A).": (
        "Cumulative share of spend as suppliers are added from the largest. Dashed line: {a} "
        "(the limit for class A)."
    ),
    "A: leverandørene som til sammen står for de første {a} av kjøpene, B: opp til {b}, C: "
    "resten (halespend).": (
        "A: the suppliers that together make up the first {a} of spend, B: up to {b}, C: the "
        "rest (tail spend)."
    ),
    "HHI = summen av kvadrerte andeler (0–10 000); etiketten er tilsvarende antall like store "
    "leverandører (10 000/HHI). Grønn under 1 500, gul 1 500–2 500, rød over 2 500.": (
        "HHI = the sum of squared shares (0–10,000); the label is the equivalent number of "
        "equally large suppliers (10,000/HHI). Green below 1,500, yellow 1,500–2,500, red above "
        "2,500."
    ),
    "Andel av kjøpene hos de fem største leverandørene (CR5) og hos den største (CR1).": (
        "Share of spend with the five largest suppliers (CR5) and with the largest (CR1)."
    ),
    "Klasse C: leverandørene etter de første {b} av kjøpene. Andel av kjøpene; {lines} av "
    "fakturalinjene.": (
        "Class C: the suppliers after the first {b} of spend. Share of spend; {lines} of the "
        "invoice lines."
    ),
    "Kategorier der én leverandør har over {share} av kjøpene.": (
        "Categories where one supplier has more than {share} of spend."
    ),
    "samleposter (ikke én leverandør)": "collective entries (not one supplier)",
    "privatpersoner": "private persons",
    "med negativt netto (kreditnotaer)": "with negative net (credit notes)",
    "Grenser for HHI er tommelfingerregler sett fra kjøpers side, ikke en markedsanalyse.": (
        "The HHI limits are rules of thumb from the buyer's side, not a market analysis."
    ),
    "Detaljer": "Details",
    "Fakturalinjer": "Invoice lines",
    "Feil": "Failures",
    "Handling": "Action",
    "Navn (bare for administratorer)": "Name (administrators only)",
    "Sperret": "Locked",
    "admin – alt, også brukere": "admin – everything, users included",
    "analyst – alle kommuner og sider, import": "analyst – all municipalities and pages, import",
    "leder – alle kommuners tall, ikke fakturalinjer": (
        "manager – every municipality's figures, no invoice lines"
    ),
    "kommune – bare egne kommuner": "municipality – own municipalities only",
    "Konto/art for alle rader (f.eks. 270)": "Account/type for all rows (e.g. 270)",
    "Område for alle rader": "Area for all rows",
    "E-handel for alle rader": "E-commerce for all rows",
    "Fra filen": "From the file",
    "Fra kolonne i filen": "From a column in the file",
    "navn (eksakt)": "name (exact)",
    "leverandørnummer": "supplier number",
    "mønster (regex)": "pattern (regex)",
    "Lav": "Low",
    "Forventet": "Expected",
    "Høy": "High",
    "kr per innbygger": "NOK per inhabitant",
    "mill. kr": "NOK million",
    "Netto kjøp per leverandør i kategorien (kreditnotaer trukket fra), andel av kategorien. "
    "Leverandører uten organisasjonsnummer er med; privatpersoner samlet som «Privatperson».": (
        "Net spend per supplier in the category (credit notes deducted), share of the category. "
        "Suppliers without an organisation number are included; private persons grouped as "
        "“Private person”."
    ),
    "Blå: valgt periode. Grå: de samme månedene ett år tidligere. Etiketten er endringen.": (
        "Blue: the selected period. Grey: the same months a year earlier. The label is the change."
    ),
    "Én linje per kommune, med kommunens faste farge (de ti største når det er flere).": (
        "One line per municipality, in the municipality's fixed colour (the ten largest when "
        "there are more)."
    ),
    "Hver rute er kommunens netto kjøp i kategorien i perioden, delt på innbyggertallet (år for "
    "år). Kategoriene står i kategoritreets rekkefølge.": (
        "Each cell is the municipality's net spend in the category in the period, divided by the "
        "population (year by year). The categories follow the category tree's order."
    ),
    "Hver rute er kommunens netto kjøp i kategorien i perioden. Kategoriene står i "
    "kategoritreets rekkefølge.": (
        "Each cell is the municipality's net spend in the category in the period. The categories "
        "follow the category tree's order."
    ),
    "Netto kjøp i året delt på kommunens innbyggertall det året; Verran og Steinkjer summeres "
    "for 2019 i dagens struktur.": (
        "Net spend in the year divided by the municipality's population that year; Verran and "
        "Steinkjer are summed for 2019 in today's structure."
    ),
    "Arealet er netto kjøp; store felt er hovedkategorier, små er underkategorier (pek på et "
    "felt for tall). Kategorier med negativt netto (flere kreditnotaer enn fakturaer) vises "
    "ikke.": (
        "The area is net spend; large fields are main categories, small ones are subcategories "
        "(point at a field for figures). Categories with negative net (more credit notes than "
        "invoices) are not shown."
    ),
    "Hver rad er én kjøpende kommune og summerer til 100 %: andel av kommunens kjøp hos "
    "leverandører hjemmehørende i hver medlemskommune, i resten av fylket, i resten av Norge og "
    "utlandet/ukjent.": (
        "Each row is one purchasing municipality and sums to 100%: the share of the "
        "municipality's spend with suppliers based in each member municipality, in the rest of "
        "the county, in the rest of Norway and abroad/unknown."
    ),
    "Uklassifisert kjøp og leverandører med ukjent hjemkommune er med i totalene; regional andel "
    "regnes av kjøp med kjent hjemkommune ({unknown} ukjent er holdt utenfor).": (
        "Unclassified spend and suppliers with an unknown home municipality are included in the "
        "totals; the regional share is computed on spend with a known home municipality "
        "({unknown} unknown is left out)."
    ),
    "Kjøp fra offentlige virksomheter er holdt utenfor.": "Purchases from public bodies are left out.",
    "Årsak": "Reason",
    "Rader": "Rows",
    "Gruppe": "Group",
    # issue 12 point 6: the import page's reports and log in English
    "Advarsel: {reason} (lagret)": "Warning: {reason} (stored)",
    "Eksempler": "Examples",
    "rad": "row",
    "Rad": "Row",
    "Fil": "File",
    "Tid": "Time",
    "Av": "By",
    "Profil": "Profile",
    "Lest": "Read",
    "Utelatt": "Excluded",
}


#: Messages a user reads that ``data_access`` writes (validation and quarantine reasons, import
#: progress and reports, refusals and errors): bokmål template → English, ``{}`` for each value
#: in the same order. ``tests/test_i18n.py`` fails when a message in ``data_access`` has none.
MESSAGES: dict[str, str] = {
    # import: validation and quarantine reasons (data_access/importing/validate.py)
    "raden har flere felt enn overskriften": "the row has more fields than the heading",
    "raden er ufullstendig": "the row is incomplete",
    "kommunenummer mangler": "municipality number missing",
    "ukjent kommunenummer": "unknown municipality number",
    "kommunen er ikke medlem": "the municipality is not a member",
    "dato mangler": "date missing",
    "dato kan ikke tolkes": "date cannot be read",
    "beløp mangler": "amount missing",
    "beløp kan ikke tolkes": "amount cannot be read",
    "konto mangler": "account missing",
    "konto er ikke en KOSTRA-art": "account is not a KOSTRA art",
    "leverandør mangler": "supplier missing",
    "ugyldig organisasjonsnummer": "invalid organisation number",
    "ikke innkjøpskonto (utelatt etter regel)": "not a purchase account (excluded by rule)",
    "allerede importert (utelatt)": "already imported (excluded)",
    "filen er importert før (utelatt)": "the file was imported before (excluded)",
    "for lang tekst, avkortet (navn 200 tegn, annen tekst 1 000 tegn)": (
        "text too long, shortened (names 200 characters, other text 1,000 characters)"
    ),
    "raden har flere felt enn overskriften ({} i stedet for {}) – sjekk skilletegn i teksten": (
        "the row has more fields than the heading ({} instead of {}) – check delimiters in the text"
    ),
    "raden har bare {} av {} felt (filen kan være avkortet)": (
        "the row has only {} of {} fields (the file may be cut short)"
    ),
    "kommunenummer mangler (angi kommune for filen)": (
        "municipality number missing (set a municipality for the file)"
    ),
    "ukjent kommunenummer {}": "unknown municipality number {}",
    "kommunenummer {} ({}) er ikke medlem av samarbeidet": (
        "municipality number {} ({}) is not a member of the cooperation"
    ),
    "dato «{}» kan ikke tolkes": "date “{}” cannot be read",
    "beløp «{}» kan ikke tolkes": "amount “{}” cannot be read",
    "konto «{}» begynner ikke med tre siffer (KOSTRA-art)": (
        "account “{}” does not start with three digits (KOSTRA art)"
    ),
    "konto «{}» passer ikke kontooppsettet «{}»": "account “{}” does not fit the account layout “{}”",
    "leverandør mangler (verken organisasjonsnummer, leverandørnummer eller navn)": (
        "supplier missing (no organisation number, supplier number or name)"
    ),
    "organisasjonsnummer {} har feil kontrollsiffer, og leverandørnavn og -nummer mangler": (
        "organisation number {} has a wrong check digit, and the supplier name and number are "
        "missing"
    ),
    "art {} er ikke innkjøp ({})": "art {} is not a purchase ({})",
    "utenfor KOSTRA-artene": "outside the KOSTRA arts",
    "organisasjonsnummer {} har feil kontrollsiffer – lagret som ukjent leverandør": (
        "organisation number {} has a wrong check digit – stored as an unknown supplier"
    ),
    "organisasjonsnummer «{}» har ikke 9 siffer – lagret som ukjent leverandør": (
        "organisation number “{}” does not have 9 digits – stored as an unknown supplier"
    ),
    "filen er importert før (import {})": "the file was imported before (import {})",
    "linjen er allerede importert (faktura {}, {} øre)": (
        "the line is already imported (invoice {}, {} øre)"
    ),
    # import: fields, layouts and the report (profiles.py, layouts.py, pipeline.py)
    "kommunenummer": "municipality number",
    "dato": "date",
    "organisasjonsnummer": "organisation number",
    "leverandørnavn": "supplier name",
    "leverandørnummer": "supplier number",
    "konto": "account",
    "funksjon": "function",
    "beløp": "amount",
    "debet": "debit",
    "kredit": "credit",
    "fakturanummer": "invoice number",
    "e-handel": "e-commerce",
    "avtalereferanse": "agreement reference",
    "område": "area",
    "beskrivelse": "description",
    "privatperson": "private person",
    "innkjøp": "purchase",
    "kjøp fra offentlige": "purchases from public bodies",
    "ikke innkjøp (utelatt)": "not a purchase (excluded)",
    "fødselsnummer": "national identity number",
    "merket privat": "marked private",
    "personlignende navn": "person-like name",
    "ja": "yes",
    "nei": "no",
    "drift": "operations",
    "investering": "investment",
    "art først (evt. med underkonto)": "art first (possibly with a sub-account)",
    "kontoklasse + art + underkonto (5–6 siffer)": "account class + art + sub-account (5–6 digits)",
    "ett prefikssiffer + kontoklasse + art + underkonto (6 siffer)": (
        "one prefix digit + account class + art + sub-account (6 digits)"
    ),
    "art i siffer {}–{}{}": "art in digits {}–{}{}",
    ", kontoklasse i siffer {}": ", account class in digit {}",
    "mønster {}": "pattern {}",
    "Kontooppsett: {} ({})": "Account layout: {} ({})",
    "  konto {} → art {} → {}{}": "  account {} → art {} → {}{}",
    "Faste verdier: {}": "Fixed values: {}",
    "{} = {}": "{} = {}",
    "Område (drift/investering) fra: {}": "Area (operations/investment) from: {}",
    "fast verdi ({})": "fixed value ({})",
    "kolonne (kontoklassen der kolonnen er tom)": "column (the account class where it is empty)",
    "kolonne": "column",
    "kontoklassen (0 investering, 1 drift)": "the account class (0 investment, 1 operations)",
    "standard (drift)": "default (operations)",
    "Utelatt som ikke innkjøp (lønn, overføringer o.l.): {} rader": (
        "Excluded as not purchases (wages, transfers and the like): {} rows"
    ),
    "Privatpersoner (vises som «Privatperson»): {} linjer": (
        "Private persons (shown as “Private person”): {} lines"
    ),
    "  {} navn ser ut som personnavn og er skjult; en administrator kan se og frigi dem under "
    "Administrasjon → Privatpersoner": (
        "  {} names look like a person's name and are hidden; an administrator can see and "
        "release them under Administration → Private persons"
    ),
    "Samleposter (profilens pseudo-leverandører): {} linjer": (
        "Collective posts (the profile's pseudo-suppliers): {} lines"
    ),
    "{}: FEILET – {} (ingenting lagret)": "{}: FAILED – {} (nothing stored)",
    "filen er importert før (import {}) med et annet kontooppsett; bare rader som ikke ble "
    "lagret da, lagres nå": (
        "the file was imported before (import {}) with another account layout; only rows that "
        "were not stored then are stored now"
    ),
    "lest på nytt fra lagrede kontoer": "read again from stored accounts",
    "profil": "profile",
    "foreslått fra filen": "proposed from the file",
    "format": "format",
    "tegnsett": "encoding",
    "skilletegn": "delimiter",
    "overskriftsrad": "heading row",
    "tidligere import": "earlier import",
    "desimaltegn": "decimal mark",
    # import: progress
    "Leser filen": "Reading the file",
    "Kontrollerer rader": "Checking rows",
    "Finner leverandører og duplikater": "Finding suppliers and duplicates",
    "Lagrer {} linjer": "Storing {} lines",
    "Lagrer linjer: {} av {}": "Storing lines: {} of {}",
    "Oppdaterer kuben": "Updating the cube",
    "Logger importen": "Logging the import",
    "Ferdig": "Done",
    "Importen feilet": "The import failed",
    # import: refused files and profiles
    "radtellingene går ikke opp; importen avbrytes": "the row counts do not add up; import stopped",
    "fant ikke kolonner for: {}. Kolonner i filen: {}": (
        "found no columns for: {}. Columns in the file: {}"
    ),
    "{} (eller angi kommune for filen)": "{} (or set a municipality for the file)",
    "leverandør (organisasjonsnummer, navn eller nummer)": (
        "supplier (organisation number, name or number)"
    ),
    "filen er tom": "the file is empty",
    "Excel-filen kan ikke leses ({})": "the Excel file cannot be read ({})",
    "gammelt Excel-format (.xls) støttes ikke; lagre som .xlsx eller CSV": (
        "the old Excel format (.xls) is not supported; save as .xlsx or CSV"
    ),
    "fant ingen overskriftsrad med kjente kolonnenavn (dato, konto, beløp …) blant de første "
    "linjene; velg eller lag en importprofil": (
        "found no heading row with known column names (date, account, amount …) among the first "
        "lines; choose or make an import profile"
    ),
    "fant ingen overskriftsrad med kjente kolonnenavn (dato, konto, beløp …); velg eller lag en "
    "importprofil": (
        "found no heading row with known column names (date, account, amount …); choose or make "
        "an import profile"
    ),
    "filen er {} MB; høyst {} MB kan importeres (del den opp, f.eks. per år)": (
        "the file is {} MB; at most {} MB can be imported (split it, e.g. by year)"
    ),
    "filen har {} kolonner; høyst {} er tillatt. Første kolonner: {}": (
        "the file has {} columns; at most {} are allowed. First columns: {}"
    ),
    "linje {} er {} tegn lang; høyst {} tegn per linje er tillatt": (
        "line {} is {} characters long; at most {} characters per line are allowed"
    ),
    # agreement register (data_access/admin/agreements.py)
    "feltet {} er lengre enn {} tegn": "the field {} is longer than {} characters",
    "… og {} feil til": "… and {} more errors",
    "filen kan ikke leses som CSV: sjekk at hver rad har like mange felt som overskriften og "
    "at alle anførselstegn er lukket": (
        "the file cannot be read as CSV: check that every row has as many fields as the heading "
        "and that every quote is closed"
    ),
    "account_pattern er ikke et gyldig regulært uttrykk: {}": (
        "account_pattern is not a valid regular expression: {}"
    ),
    "account_pattern må ha gruppen (?P<art>...) med de tre art-sifrene": (
        "account_pattern must have the group (?P<art>...) with the three art digits"
    ),
    'art_digits må være tre sifferposisjoner, f.eks. "2-4"': (
        'art_digits must be three digit positions, e.g. "2-4"'
    ),
    "class_digit må stå foran art-sifrene": "class_digit must come before the art digits",
    "ukjent kontooppsett «{}» (kjente: {}, eller angi art_digits eller account_pattern)": (
        "unknown account layout “{}” (known: {}, or give art_digits or account_pattern)"
    ),
    "kontoene kan leses med flere kontooppsett ({}), f.eks. {}. Angi account_layout eller "
    "art_digits i importprofilen.": (
        "the accounts can be read with more than one account layout ({}), e.g. {}. Give "
        "account_layout or art_digits in the import profile."
    ),
    "kontoene passer ikke ett kontooppsett: noen ser ut som kontoklasse + art (f.eks. {}), "
    "andre har en annen lengde (f.eks. {}). Angi account_layout eller art_digits i "
    "importprofilen, eller rett kontoene i filen.": (
        "the accounts fit no single account layout: some look like account class + art (e.g. "
        "{}), others have another length (e.g. {}). Give account_layout or art_digits in the "
        "import profile, or correct the accounts in the file."
    ),
    "{} lagrede linjer har kontoer som ikke passer kontooppsettet «{}», f.eks. {}; ingenting er "
    "endret": (
        "{} stored lines have accounts that do not fit the account layout “{}”, e.g. {}; "
        "nothing was changed"
    ),
    "ukjent importprofil «{}» (finnes: {})": "unknown import profile “{}” (available: {})",
    "[values] {} må være en liste med ord": "[values] {} must be a list of words",
    'decimal må være "," eller "."': 'decimal must be "," or "."',
    "ukjente nøkler i [values]: {}": "unknown keys in [values]: {}",
    "ukjente felt i profilen: {}": "unknown fields in the profile: {}",
    "[fixed] må være en tabell": "[fixed] must be a table",
    "ukjent felt i [fixed]: {} (mulige: {})": "unknown field in [fixed]: {} (possible: {})",
    '[values.{}] må være en tabell, f.eks. true = ["J"]': (
        '[values.{}] must be a table, e.g. true = ["J"]'
    ),
    '[fixed] area må være "drift" eller "investering", ikke «{}»': (
        '[fixed] area must be "drift" or "investering", not “{}”'
    ),
    "[fixed] {} må være true eller false, ikke «{}»": "[fixed] {} must be true or false, not “{}”",
    "JSON-filen er ikke en liste av enheter": "the JSON file is not a list of units",
    "{} enheter lest, {} leverandører oppdatert, {} underenheter lagret": (
        "{} units read, {} suppliers updated, {} sub-units stored"
    ),
    # quarantine
    "karantenerader er linjedetaljer; rollen har ikke tilgang til dem": (
        "quarantined rows are line details; the role has no access to them"
    ),
    "filen mangler kolonnen {}; last ned karantenelisten og rett i den": (
        "the file lacks the column {}; download the quarantine list and correct it"
    ),
    "radene kommer fra filer med ulike kontooppsett ({}); importer dem én fil om gangen": (
        "the rows come from files with different account layouts ({}); import them one file at "
        "a time"
    ),
    # registers and settings (data_access/admin)
    "bare innkjøpskontoret (admin/analytiker) kan endre avtaleregisteret": (
        "only the procurement office (admin/analyst) can change the agreement register"
    ),
    "bare administrator kan endre gevinstmålet": "only an administrator can change the savings target",
    "målet må være et positivt beløp": "the target must be a positive amount",
    "ugyldig besparelsesgrad {}": "invalid savings rate {}",
    "mangler kolonne(r): {}": "missing column(s): {}",
    "avtalenummer (ref) mangler": "agreement number (ref) missing",
    "avtalenummeret finnes flere ganger": "the agreement number appears more than once",
    "avtalenummeret er lengre enn 60 tegn": "the agreement number is longer than 60 characters",
    "navn mangler": "name missing",
    "startdato mangler eller er ugyldig": "start date missing or invalid",
    "sluttdato mangler eller er ugyldig": "end date missing or invalid",
    "sluttdato er før startdato": "the end date is before the start date",
    "sluttdato med opsjoner er ugyldig": "the end date with options is invalid",
    "sluttdato med opsjoner er før sluttdato": "the end date with options is before the end date",
    "ukjent kategori {}": "unknown category {}",
    "besparelsesgraden må være mellom 0 og 100 %": "the savings rate must be between 0 and 100%",
    "estimert årsverdi kan ikke være negativ": "the estimated annual value cannot be negative",
    "oppgi besparelsesgrad eller forventet gevinst per år": (
        "give a savings rate or a projected saving per year"
    ),
    "forventet gevinst i kroner krever estimert årsverdi": (
        "a projected saving in NOK requires an estimated annual value"
    ),
    "ukjent gevinsttype {} (hard eller kostnadsunngåelse)": (
        "unknown savings type {} (hard or cost avoidance)"
    ),
    "ugyldig organisasjonsnummer: {}": "invalid organisation number: {}",
    "minst én leverandør (organisasjonsnummer) må oppgis": (
        "at least one supplier (organisation number) must be given"
    ),
    "ukjent kommunenummer: {}": "unknown municipality number: {}",
    "bare administratorer kan endre kategorier og regler": (
        "only administrators can change categories and rules"
    ),
    "samme kategori står flere ganger: {}": "the same category appears more than once: {}",
    "«Uklassifisert» kan ikke gis nytt navn": "“Uklassifisert” cannot be renamed",
    "rad {}: både nivå 1 og nivå 2 må ha navn": "row {}: both level 1 and level 2 need a name",
    "«Uklassifisert» kan ikke fjernes": "“Uklassifisert” cannot be removed",
    "rad {}: type må være supplier, account eller nace": (
        "row {}: type must be supplier, account or nace"
    ),
    "rad {}: ukjent kategori «{}»": "row {}: unknown category “{}”",
    "«{}» brukes av {} linjer og {} regler og kan ikke fjernes; flytt linjene med en regel først": (
        "“{}” is used by {} lines and {} rules and cannot be removed; move the lines with a rule "
        "first"
    ),
    "rad {}: leverandørnøkkel må være f.eks. orgnr:123456789": (
        "row {}: the supplier key must be e.g. orgnr:123456789"
    ),
    "rad {}: art fra–til må være tre sifre, fra ≤ til": (
        "row {}: art from–to must be three digits, from ≤ to"
    ),
    "rad {}: NACE-kode mangler eller er ugyldig": "row {}: NACE code missing or invalid",
    "rad {}: {}": "row {}: {}",
    "bare innkjøpskontoret (administrator eller analytiker) kan endre": (
        "only the procurement office (administrator or analyst) can change this"
    ),
    "bare administratorer kan endre befolkningstall": "only administrators can change population",
    "rad {}: ukjent kommunenummer {}": "row {}: unknown municipality number {}",
    "rad {}: ugyldig år {}": "row {}: invalid year {}",
    "rad {}: innbyggertallet må være et positivt heltall": (
        "row {}: the population must be a positive whole number"
    ),
    "rad {}: {} {} står to ganger": "row {}: {} {} appears twice",
    "bare administratorer kan se og frigi mistenkte privatpersoner": (
        "only administrators can see and release suspected private persons"
    ),
    "bare leverandører skjult på grunn av et personlignende navn kan frigis (merkede "
    "privatpersoner og fødselsnumre forblir skjult)": (
        "only suppliers hidden because of a person-like name can be released (marked private "
        "persons and national identity numbers stay hidden)"
    ),
    "ukjent type «{}» (navn, nummer eller mønster)": "unknown type “{}” (name, number or pattern)",
    "verdien kan ikke være tom": "the value cannot be empty",
    "«{}» står allerede på listen": "“{}” is already on the list",
    "finnes ikke": "does not exist",
    "mønsteret er ikke et gyldig regulært uttrykk: {}": (
        "the pattern is not a valid regular expression: {}"
    ),
    "bare administrator kan endre terskelverdiene": "only an administrator can change the thresholds",
    "hver rad må ha en gyldig-fra-dato": "every row needs a valid-from date",
    "samme gyldig-fra-dato flere ganger: {}": "the same valid-from date more than once: {}",
    "rad {}: alle terskelverdier må være positive tall": (
        "row {}: every threshold must be a positive number"
    ),
    "rad {}: nedre grense ≤ nasjonal terskel ≤ EØS-terskel må holde": (
        "row {}: lower limit ≤ national threshold ≤ EEA threshold must hold"
    ),
    "passordet kan være høyst 72 byte": "the password can be at most 72 bytes",
    "passordet må ha minst 8 tegn": "the password needs at least 8 characters",
    "ukjent rolle {}; gyldige: {}": "unknown role {}; valid: {}",
    "brukeren {} finnes allerede": "the user {} already exists",
    "ingen bruker {}": "no user {}",
    "ukjent rolle {}": "unknown role {}",
    "den siste aktive administratoren kan ikke fjernes": (
        "the last active administrator cannot be removed"
    ),
    "vektene må være tall ≥ 0, og minst én må være større enn 0": (
        "the weights must be numbers ≥ 0, and at least one must be above 0"
    ),
    "satsene må oppfylle 0 ≤ lav ≤ forventet ≤ høy < 100 %": (
        "the rates must satisfy 0 ≤ low ≤ expected ≤ high < 100%"
    ),
    # access, decks, login, database (data_access/store)
    "ikke innlogget": "not logged in",
    "bare eieren kan endre en presentasjon": "only the owner can change a presentation",
    "en presentasjon kan ha høyst {} lysbilder": "a presentation can have at most {} slides",
    "databasefilen {} finnes ikke": "the database file {} does not exist",
    "rollen har ikke tilgang til fakturalinjer": "the role has no access to invoice lines",
    "en bruker med rollen kommune trenger minst én kommune": (
        "a user with the role kommune needs at least one municipality"
    ),
    "brukeren har ikke tilgang til fakturalinjer": "the user has no access to invoice lines",
    "Vent {} s før du prøver igjen.": "Wait {} s before you try again.",
    "For mange mislykkede innlogginger. Innloggingen er sperret i {} min. En administrator kan "
    "oppheve sperren.": (
        "Too many failed logins. Login is locked for {} min. An administrator can lift the lock."
    ),
}


def lang() -> str:
    value = st.query_params.get("lang", "nb")
    return value if value in ("nb", "en") else "nb"


@cache
def _templates() -> tuple[tuple[tuple[re.Pattern[str], ...], str], ...]:
    """The message templates with values as compiled patterns, longest (most specific) first;
    each as a lazy and a greedy pattern (a value may itself hold brackets)."""
    out = []
    for nb, en in sorted(MESSAGES.items(), key=lambda kv: -len(kv[0])):
        if "{}" in nb:
            parts = re.split(r"({})", nb)
            patterns = tuple(
                re.compile("".join(value if part == "{}" else re.escape(part) for part in parts))
                # a value never runs over into the next of several joined messages
                for value in (r"((?:(?!; |\n).)+?)", r"((?:(?!; |\n).)+)")
            )
            out.append((patterns, en))
    return tuple(out)


def _by_template(text: str) -> str | None:
    """``text`` translated by the first template that fits, its values translated again; of
    the ways a template fits, the one whose values are most often known words."""
    for patterns, en in _templates():
        best: tuple[int, list[str]] | None = None
        for rx in patterns:
            m = rx.fullmatch(text)
            if m:
                values = [english(g) for g in m.groups()]
                known = sum(v != g for v, g in zip(values, m.groups(), strict=True))
                if best is None or known > best[0]:
                    best = (known, values)
        if best is not None:
            return en.format(*best[1])
    return None


@cache
def _reason_groups() -> dict[str, str]:
    """Quarantine reasons as the data-quality panel groups them (values blanked to "…",
    brackets dropped: ``data_access.importing.quality.reason_group``), bokmål → English: the
    message templates grouped the same way."""
    nb = [k.replace("{}", "0") for k in MESSAGES]
    # English quotes as the bokmål ones, so the same grouping blanks what is quoted
    en = [v.replace("{}", "0").replace("“", "«").replace("”", "»") for v in MESSAGES.values()]
    grouped = pl.DataFrame({"reason": [*nb, *en]}).select(reason_group()).to_series().to_list()
    return dict(zip(grouped[: len(nb)], grouped[len(nb) :], strict=True))


def english(text: str) -> str:
    """A bokmål UI text or ``data_access`` message in English; unknown text (a name, a value)
    comes back unchanged.

    >>> english("dato «31.02.2025» kan ikke tolkes")
    'date “31.02.2025” cannot be read'
    >>> english("art 010 er ikke innkjøp (utenfor KOSTRA-artene)")
    'art 010 is not a purchase (outside the KOSTRA arts)'
    >>> english("rad 2: ugyldig år 1899; rad 3: ukjent kommunenummer 9999")
    'row 2: invalid year 1899; row 3: unknown municipality number 9999'
    >>> english("beløp … kan ikke tolkes")  # a reason group of the data-quality panel
    'amount … cannot be read'
    >>> english("Kontorkjeden AS")
    'Kontorkjeden AS'
    """
    if not text:
        return text
    if text in EN:
        return EN[text]
    if text in MESSAGES:
        return MESSAGES[text]
    done = _by_template(text) or _reason_groups().get(text)
    if done is not None:
        return done
    for sep in ("\n", "; ", ", "):  # several messages joined into one
        if sep in text:
            parts = text.split(sep)
            done = [english(p) for p in parts]
            if done != parts:
                return sep.join(done)
    return text


def t(text: str) -> str:
    """Translate a bokmål UI string, or a message from ``data_access``, for the current
    language."""
    return english(text) if lang() == "en" else text
