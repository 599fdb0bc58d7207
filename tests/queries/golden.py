"""Expected answers of the saved queries, written from the interview's text.

Each case names rows that must be present (robust to additions to the mapping), conditions every row must
meet when a parameter filters, and an exact row count only where the text closes the answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

BASE = "https://w3id.org/morocco-digital-kg/"
ID = BASE + "id/"
MDK = BASE + "ontology/"


@dataclass(frozen=True)
class Contains:
    """A cell that must contain this text (quotes, concatenated lists)."""

    text: str


@dataclass(frozen=True)
class Golden:
    query: str
    params: dict[str, str] = field(default_factory=dict)
    rows: tuple[dict[str, object], ...] = ()
    every_row: dict[str, object] = field(default_factory=dict)
    count: int | None = None
    boolean: bool | None = None

    @property
    def id(self) -> str:
        return self.query + "".join(f"-{k}={v.rsplit('/', 1)[-1]}" for k, v in self.params.items())


def i(local: str) -> str:
    return ID + local


GOLDEN = (
    Golden(
        "initiatives",
        rows=(
            {
                "initiative": i("jazari-institute-dakhla"),
                "places": Contains("Dakhla"),
                "themes": Contains("energy transition"),
            },
            {"initiative": i("world-cup-2030"), "places": Contains("Morocco")},
            {"initiative": i("venture-building-initiative")},
            {
                "initiative": i("jazari-root-mistral-ai-agreement"),
                "status": "Signed",
                "partners": Contains("Mistral AI"),
            },
        ),
    ),
    Golden(
        "initiatives",
        {"theme": i("research-and-development")},
        rows=({"initiative": i("jazari-root-mistral-ai-lab")}, {"initiative": i("um6p-rd-laboratories")}),
        every_row={"themes": Contains("research and development")},
    ),
    Golden(
        "initiatives",
        {"status": MDK + "StatusInDiscussion", "lang": "fr"},
        rows=({"initiative": i("social-media-bill")}, {"initiative": i("african-rdi-commission")}),
        every_row={"status": Contains("InDiscussion")},
    ),
    Golden(
        "jazari-institutes",
        rows=(
            {
                "institute": i("jazari-institute-dakhla"),
                "city": i("dakhla"),
                "specialisations": Contains("energy transition"),
                "quote": "A Dakhla, un institut autour de l’IA et de la transition énergétique.",
            },
            {"institute": i("jazari-institute-rabat"), "city": i("rabat"), "specialisations": Contains("e-government")},
            {
                "institute": i("jazari-institute-marrakech"),
                "city": i("marrakech"),
                "specialisations": Contains("smart city"),
            },
            {"institute": i("jazari-root")},
        ),
        count=4,
    ),
    Golden(
        "jazari-institutes",
        {"city": i("rabat"), "lang": "fr"},
        rows=({"institute": i("jazari-institute-rabat"), "specialisations": Contains("e-gouvernement")},),
        count=1,
    ),
    Golden(
        "partnerships",
        {"country": i("france")},
        rows=(
            {
                "partnership": i("jazari-root-mistral-ai-agreement"),
                "partner": i("mistral-ai"),
                "role": "signatory",
                "status": "Signed",
                "quote": Contains("Mistral AI"),
            },
        ),
        every_row={"country": i("france")},
    ),
    Golden("partnerships", rows=({"partnership": i("d4sd"), "partner": i("undp")},)),
    Golden(
        "figures",
        rows=(
            {
                "figure": i("venture-building-endowment"),
                "value": "700000000",
                "unit": "MoroccanDirham",
                "quote": Contains("700 millions de dirhams"),
            },
            {
                "figure": i("morocco-offshoring-export-revenue-2024"),
                "value": "26000000000",
                "unit": "MoroccanDirham",
                "year": "2024",
                "approximate": "true",
                "quote": Contains("environ 26 milliards de dirhams"),
            },
            {"figure": i("share-of-sdgs-accelerated-by-ai"), "value": "79", "unit": "Percent", "year": "2020"},
        ),
    ),
    Golden(
        "figures",
        {"unit": MDK + "UnitPercent"},
        rows=({"figure": i("share-of-sdgs-accelerated-by-ai")},),
        every_row={"unit": "Percent"},
    ),
    Golden(
        "actors",
        {"kind": MDK + "Company"},
        rows=(
            {"actor": i("mistral-ai"), "country": i("france")},
            {"actor": i("deepseek"), "country": i("china")},
            {"actor": i("openai")},
        ),
        every_row={"kinds": Contains("Company")},
    ),
    Golden("actors", {"country": i("france")}, rows=({"actor": i("mistral-ai")},), every_row={"country": i("france")}),
    Golden(
        "actors",
        rows=(
            {"actor": i("amal-el-fallah-seghrouchni"), "kinds": "Person"},
            {"actor": i("rwanda"), "kinds": "Country"},
        ),
    ),
    Golden(
        "entity",
        {"entity": i("venture-building-initiative")},
        rows=(
            {
                "direction": "out",
                "property": MDK + "hasFigure",
                "value": i("venture-building-endowment"),
                "paragraph": "11",
                "quote": Contains("700 millions de dirhams"),
                "accordingTo": i("amal-el-fallah-seghrouchni"),
                "status": "stated as fact",
            },
        ),
        every_row={"paragraph": "11"},
    ),
    Golden(
        "entity",
        {"entity": i("kenya")},
        rows=(
            {
                "direction": "in",
                "property": MDK + "competitorOf",
                "value": i("morocco"),
                "quote": Contains("Le Rwanda, le Kenya et le Nigeria sont des compétiteurs sérieux"),
            },
        ),
    ),
    Golden(
        "competitors",
        rows=tuple(
            {
                "competitor": i(country),
                "quote": Contains("Le Rwanda, le Kenya et le Nigeria sont des compétiteurs sérieux"),
            }
            for country in ("rwanda", "kenya", "nigeria")
        ),
    ),
    Golden(
        "comparisons",
        rows=(
            {
                "subject": i("jazari-institutes-network"),
                "comparedTo": i("instituts-carnot"),
                "quote": Contains("Carnot"),
            },
            {"subject": i("jazari-institutes-network"), "comparedTo": i("fraunhofer"), "quote": Contains("Fraunhofer")},
            {"subject": i("african-rdi-commission"), "comparedTo": i("european-commission")},
        ),
    ),
    Golden("comparisons", {"entity": i("fraunhofer")}, count=1),
    Golden(
        "plans",
        rows=(
            {"item": i("world-cup-visitor-identifier"), "status": "Planned"},
            {"item": i("directorate-general-of-ai"), "status": "Planned"},
            {"item": i("social-media-bill"), "status": "InDiscussion", "quote": Contains("projet de loi")},
            {"item": i("african-rdi-commission"), "status": "InDiscussion"},
        ),
    ),
    Golden(
        "plans",
        {"status": MDK + "StatusPlanned"},
        rows=({"item": i("jazari-root-mistral-ai-lab")},),
        every_row={"status": "Planned"},
    ),
    Golden(
        "horizons",
        rows=(
            {"subject": i("world-cup-2030"), "year": "2030"},
            {
                "subject": i("kenyan-study-labour-costs"),
                "kind": "horizon",
                "year": "2032",
                "quote": Contains("horizon 2032"),
            },
            {"subject": i("morocco-offshoring-export-revenue-2024"), "kind": "expected year", "year": "2026"},
        ),
    ),
    Golden("horizons", {"year": "2032"}, rows=({"subject": i("kenyan-study-labour-costs")},), count=1),
    Golden(
        "timeline",
        rows=(
            {"when": "2020", "subject": i("nature-2020-study"), "quote": Contains("En 2020, le magazine Nature")},
            {"when": "2030", "subject": i("world-cup-2030")},
            {"when": "--01-12", "subject": i("jazari-root"), "property": MDK + "inaugurationDate"},
            {"when": "2024-10", "subject": i("seghrouchni-appointment")},
        ),
    ),
    Golden(
        "timeline",
        {"property": MDK + "horizon"},
        rows=({"subject": i("kenyan-study-labour-costs")},),
        every_row={"property": MDK + "horizon"},
    ),
    Golden(
        "themes",
        {"theme": i("energy-transition")},
        rows=({"theme": i("energy-transition"), "broaderLabel": "energy", "examples": Contains("Dakhla")},),
        count=1,
    ),
    Golden(
        "theme-initiatives",
        {"theme": i("energy")},
        rows=(
            {"item": i("jazari-institute-dakhla"), "via": i("energy-transition")},
            {"item": i("renewable-data-centres"), "via": i("renewable-energy")},
        ),
    ),
    Golden(
        "paragraph",
        {"paragraph": "11"},
        rows=(
            {
                "subject": i("jazari-institute-dakhla"),
                "property": MDK + "specialisedIn",
                "object": i("energy-transition"),
                "quote": "A Dakhla, un institut autour de l’IA et de la transition énergétique.",
                "speaker": i("amal-el-fallah-seghrouchni"),
            },
            {"subject": i("venture-building-endowment"), "property": MDK + "value", "object": "700000000"},
        ),
    ),
    Golden(
        "class-counts",
        rows=({"class": MDK + "Institute", "instances": "4"}, {"class": MDK + "Quote"}, {"class": MDK + "Country"}),
    ),
    Golden(
        "quotes-search",
        {"text": "dakhla"},
        rows=({"quote": "A Dakhla, un institut autour de l’IA et de la transition énergétique.", "paragraph": "11"},),
        every_row={"quote": Contains("Dakhla")},
    ),
    Golden(
        "find-entity",
        {"name": "JAZARI"},
        rows=(
            {"entity": i("jazari-root")},
            {"entity": i("jazari-institute-dakhla")},
            {"entity": i("jazari-institutes-network")},
        ),
    ),
    Golden(
        "sources",
        rows=(
            {
                "document": BASE + "doc/lexpress-seghrouchni",
                "publisher": "L'Express",
                "interviewee": "Amal El Fallah Seghrouchni",
                "language": "fr",
            },
        ),
        count=1,
    ),
    Golden(
        "studies",
        rows=(
            {
                "publication": i("nature-2020-study"),
                "date": "2020",
                "value": "79",
                "unit": "Percent",
                "finding": Contains("79% of the SDGs"),
            },
            {"publication": i("kenyan-study-labour-costs"), "horizon": "2032", "country": "Kenya"},
        ),
    ),
    Golden(
        "studies", {"lang": "fr"}, rows=({"publication": i("nature-2020-study"), "finding": Contains("79 % des ODD")},)
    ),
    Golden(
        "cooperation",
        rows=(
            {"relation": "in discussion with", "other": i("openai"), "quote": Contains("OpenAI")},
            {"relation": "in discussion with", "other": i("european-commission")},
            {"relation": "in discussion with", "other": i("currentai")},
        ),
    ),
    Golden(
        "who-said-what",
        {"speaker": i("nature-magazine")},
        rows=(
            {
                "subject": i("nature-2020-study"),
                "property": MDK + "finding",
                "status": MDK + "EvidenceReported",
                "quote": Contains("le magazine Nature montrait"),
            },
        ),
        every_row={"speaker": i("nature-magazine"), "status": MDK + "EvidenceReported"},
    ),
    Golden(
        "who-said-what",
        {"evidence": MDK + "EvidenceHedged"},
        rows=(
            {
                "speaker": i("amal-el-fallah-seghrouchni"),
                "subject": i("african-rdi-commission"),
                "sentence": Contains("si j'en ai le mandat"),
            },
        ),
        every_row={"status": MDK + "EvidenceHedged"},
    ),
    Golden(
        "who-said-what",
        {"speaker": i("lexpress")},
        rows=({"subject": i("woman-of-the-year-2021"), "property": MDK + "awardedBy"},),
        every_row={"speaker": i("lexpress"), "status": MDK + "EvidenceStated"},
    ),
    Golden(
        "strengths-and-gaps",
        rows=(
            {"relation": "not competitive on", "theme": i("rare-metals"), "quote": Contains("métaux rares")},
            {"relation": "competitive on", "theme": i("workforce")},
            {"relation": "lacks", "theme": i("ai-model-development")},
            {"relation": "priority", "theme": i("digital-sovereignty")},
        ),
    ),
    Golden(
        "places",
        {"place": i("dakhla")},
        rows=({"place": i("dakhla"), "kind": "City", "there": Contains("Jazari institute in Dakhla")},),
        count=1,
    ),
    Golden(
        "is-stated", {"subject": i("morocco"), "property": MDK + "competitorOf", "object": i("kenya")}, boolean=True
    ),
    Golden(
        "is-stated", {"subject": i("morocco"), "property": MDK + "competitorOf", "object": i("france")}, boolean=False
    ),
)
