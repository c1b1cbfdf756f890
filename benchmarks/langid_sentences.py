"""News-like sentences per language for the language-detection benchmark, generated from parts.

Each language has seven subjects, seven predicates and seven endings written for this
benchmark; every combination is a sentence, 343 per language. Short on purpose: a headline's
length is where detectors err.
"""

from __future__ import annotations

from itertools import product

PARTS: dict[str, tuple[str, str, str]] = {
    "en": (
        "The government|The central bank|Local officials|The prime minister|Rescue teams|"
        "The opposition party|Investors",
        "announced new measures|warned of higher prices|rejected the proposal|"
        "signed an agreement|promised more money|called for calm|raised interest rates",
        "on Tuesday.|after weeks of talks.|for the coming winter.|despite the protests.|"
        "in the capital.|before the election.|to support families.",
    ),
    "ru": (
        "Правительство|Центральный банк|Местные власти|Премьер-министр|Спасатели|"
        "Оппозиционная партия|Инвесторы",
        "объявило новые меры|предупредили о росте цен|отклонили предложение|"
        "подписали соглашение|пообещали больше денег|призвали к спокойствию|повысили ставку",
        "во вторник.|после недель переговоров.|на предстоящую зиму.|несмотря на протесты.|"
        "в столице.|перед выборами.|для поддержки семей.",
    ),
    "uk": (
        "Уряд|Національний банк|Місцева влада|Прем'єр-міністр|Рятувальники|"
        "Опозиційна партія|Інвестори",
        "оголосив нові заходи|попередили про зростання цін|відхилили пропозицію|"
        "підписали угоду|пообіцяли більше грошей|закликали до спокою|підвищили ставку",
        "у вівторок.|після тижнів переговорів.|на наступну зиму.|попри протести.|"
        "у столиці.|перед виборами.|щоб підтримати сім'ї.",
    ),
    "de": (
        "Die Bundesregierung|Die Zentralbank|Die Behörden vor Ort|Der Kanzler|Die Rettungskräfte|"
        "Die Opposition|Die Anleger",
        "kündigte neue Maßnahmen an|warnte vor höheren Preisen|lehnte den Vorschlag ab|"
        "unterzeichnete ein Abkommen|versprach mehr Geld|rief zur Ruhe auf|erhöhte die Zinsen",
        "am Dienstag.|nach wochenlangen Gesprächen.|für den kommenden Winter.|trotz der Proteste.|"
        "in der Hauptstadt.|vor der Wahl.|um Familien zu helfen.",
    ),
    "pt": (
        "O governo|O banco central|As autoridades locais|O primeiro-ministro|As equipes de resgate|"
        "O partido da oposição|Os investidores",
        "anunciou novas medidas|alertou para preços mais altos|rejeitou a proposta|"
        "assinou um acordo|prometeu mais dinheiro|pediu calma|aumentou os juros",
        "nesta terça-feira.|após semanas de negociações.|para o próximo inverno.|"
        "apesar dos protestos.|na capital.|antes da eleição.|para apoiar as famílias.",
    ),
    "es": (
        "El gobierno|El banco central|Las autoridades locales|El presidente del gobierno|"
        "Los equipos de rescate|El partido de la oposición|Los inversores",
        "anunció nuevas medidas|advirtió de precios más altos|rechazó la propuesta|"
        "firmó un acuerdo|prometió más dinero|pidió calma|subió los tipos de interés",
        "el martes.|tras semanas de negociaciones.|para el próximo invierno.|"
        "pese a las protestas.|en la capital.|antes de las elecciones.|para ayudar a las familias.",
    ),
    "fr": (
        "Le gouvernement|La banque centrale|Les autorités locales|Le Premier ministre|"
        "Les secouristes|Le parti d'opposition|Les investisseurs",
        "a annoncé de nouvelles mesures|a mis en garde contre la hausse des prix|"
        "a rejeté la proposition|a signé un accord|a promis plus d'argent|a appelé au calme|"
        "a relevé les taux",
        "mardi.|après des semaines de discussions.|pour l'hiver prochain.|malgré les manifestations."
        "|dans la capitale.|avant l'élection.|pour soutenir les familles.",
    ),
    "it": (
        "Il governo|La banca centrale|Le autorità locali|Il presidente del Consiglio|"
        "I soccorritori|Il partito di opposizione|Gli investitori",
        "ha annunciato nuove misure|ha avvertito di prezzi più alti|ha respinto la proposta|"
        "ha firmato un accordo|ha promesso più soldi|ha chiesto calma|ha alzato i tassi",
        "martedì.|dopo settimane di trattative.|per il prossimo inverno.|nonostante le proteste.|"
        "nella capitale.|prima delle elezioni.|per sostenere le famiglie.",
    ),
    "nl": (
        "De regering|De centrale bank|De lokale autoriteiten|De premier|De reddingswerkers|"
        "De oppositiepartij|Beleggers",
        "kondigde nieuwe maatregelen aan|waarschuwde voor hogere prijzen|wees het voorstel af|"
        "tekende een akkoord|beloofde meer geld|riep op tot kalmte|verhoogde de rente",
        "op dinsdag.|na weken van overleg.|voor de komende winter.|ondanks de protesten.|"
        "in de hoofdstad.|voor de verkiezingen.|om gezinnen te steunen.",
    ),
    "sv": (
        "Regeringen|Centralbanken|De lokala myndigheterna|Statsministern|Räddningstjänsten|"
        "Oppositionspartiet|Investerarna",
        "presenterade nya åtgärder|varnade för högre priser|avvisade förslaget|"
        "skrev under ett avtal|lovade mer pengar|manade till lugn|höjde räntan",
        "på tisdagen.|efter veckor av samtal.|inför den kommande vintern.|trots protesterna.|"
        "i huvudstaden.|före valet.|för att stödja familjer.",
    ),
}


def sentences() -> dict[str, list[str]]:
    """Return every generated sentence, by language."""
    out: dict[str, list[str]] = {}
    for lang, (subjects, predicates, endings) in PARTS.items():
        parts = (subjects.split("|"), predicates.split("|"), endings.split("|"))
        out[lang] = [f"{s} {p} {e}" for s, p, e in product(*parts)]
    return out
