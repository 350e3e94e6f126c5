"""Every sentence a person reads comes from the catalogues, and the zh-TW one is complete (issue 10).

How a bypass is caught, in two steps that each fail on their own:
1. `test_no_prose_reaches_slack_without_the_catalogue` parses handlers/ and scheduler/ (and the
   domain modules whose words reach Slack) and fails on any string literal that reads like prose
   (two or more words) outside `_()`, `n_()`, `N_()`, a docstring, a log call or a `raise` (those
   are for operators). A literal that is not for people is listed below with the reason.
2. `test_the_template_is_current` re-runs pybabel's extraction and compares it with
   locale/flexcare.pot, so a new `_()` sentence that was never extracted (and so never translated)
   fails until `scripts/i18n` is run and the translation is filled in; `test_zh_tw_is_complete`
   then fails on every empty or fuzzy zh-TW entry and on placeholders that differ (Babel's checkers).
"""

import ast
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "locale"
KEYWORDS = {"_": None, "n_": (1, 2), "N_": None}
PROSE = re.compile(r"[A-Za-z]{2,}[,;:.']? +[A-Za-z]{2,}")  # two words with a space between
SCANNED = ("handlers", "scheduler", "domain/access.py", "domain/account/rules.py", "domain/reports",
           "domain/points/rules.py", "domain/points/history.py", "domain/incidents/rules.py")
# Literals that look like prose but never reach a person, each with why.
NOT_FOR_PEOPLE = {
    "scheduler/jobs.py": "APScheduler job names, shown in operators' logs only",
    "scheduler/ftc_sweep.py": "log context for operators",
    "scheduler/points_sweep.py": "log context for operators",
    "scheduler/report_sweeps.py": "log context for operators",
    "scheduler/dispatcher.py": "failure reasons stored in the outbox for operators",
    "domain/incidents/rules.py": "IncidentStep names an internal step; people see domain.access's Action words",
}
ALLOWED_LITERALS = {
    "{date_short_pretty} {time}",  # Slack's own date-token format string: Slack localises it per reader
    "/flexcare contract ",  # a command prefix, never translated
    "upper left",  # matplotlib's legend position
    "-//FlexCare bot//Review calendar//EN",  # the iCalendar PRODID
}


def _python_files() -> list[Path]:
    files: list[Path] = []
    for name in SCANNED:
        path = ROOT / name
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return files


def _exempt_nodes(tree: ast.AST) -> set[int]:
    """Ids of nodes inside translation calls, log calls, raises and docstrings."""
    exempt: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant):
            exempt.add(id(body[0].value))
        inside: ast.AST | None = None
        if isinstance(node, ast.Raise):
            inside = node
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            owner = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""
            if name in KEYWORDS or owner in {"log", "logger", "logging"}:
                inside = node
        elif (isinstance(node, ast.keyword) and node.arg == "usage") or (isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id.endswith(("USAGE", "FONTS")) for t in node.targets)):
            inside = node  # command syntax, shown verbatim
        if inside is not None:
            exempt.update(id(sub) for sub in ast.walk(inside))
    return exempt


def prose_outside_the_catalogue(source: str, label: str) -> list[str]:
    tree = ast.parse(source)
    exempt = _exempt_nodes(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in exempt \
                and PROSE.search(node.value) and node.value not in ALLOWED_LITERALS:
            found.append(f"{label}:{node.lineno}: {node.value[:70]!r}")
    return found


def test_no_prose_reaches_slack_without_the_catalogue() -> None:
    files = [p for p in _python_files() if str(p.relative_to(ROOT)) not in NOT_FOR_PEOPLE]
    offenders = [line for path in files
                 for line in prose_outside_the_catalogue(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))]
    assert offenders == [], "wrap these in _() (or N_() where a table keeps them):\n" + "\n".join(offenders)


def test_the_checker_catches_a_bare_sentence_and_nothing_else() -> None:
    sample = ('from domain.words import _, N_\nOK = _("Open an incident")\nBAD = "Open an incident"\n'
              'TABLE = {"open": N_("Open an incident")}\nlog.info("for the log too")\n'
              'def f():\n    """Docs are fine."""\n    raise ValueError("for the log")\n')
    assert prose_outside_the_catalogue(sample, "sample.py") == ["sample.py:3: 'Open an incident'"]


def _extracted() -> set[str]:
    ids: set[str] = set()
    for directory in ("bot", "handlers", "domain", "scheduler"):
        for _file, _line, message, _comments, _context in extract_from_dir(
                ROOT / directory, keywords=KEYWORDS, method_map=[("**.py", "python")]):
            ids.add(message if isinstance(message, str) else message[0])
    return ids


def _catalogue(language: str) -> list:  # type: ignore[type-arg]
    path = LOCALE / language / "LC_MESSAGES" / "flexcare.po" if language else LOCALE / "flexcare.pot"
    with path.open("rb") as source:
        return read_po(source, locale=language or None)


def test_the_template_is_current() -> None:
    template = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalogue("") if m.id}
    extracted = _extracted()
    assert sorted(extracted - template) == [], "new sentences: run scripts/i18n and translate them"
    assert sorted(template - extracted) == [], "sentences no longer in the code: run scripts/i18n"


@pytest.mark.parametrize("language", ["en", "zh_TW"])
def test_each_catalogue_holds_every_sentence_of_the_template(language: str) -> None:
    template = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalogue("") if m.id}
    have = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalogue(language) if m.id}
    assert sorted(template - have) == []


def test_zh_tw_is_complete_not_fuzzy_and_keeps_every_placeholder() -> None:
    catalogue = _catalogue("zh_TW")
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        if message.fuzzy or not all(strings):
            problems.append(f"untranslated or fuzzy: {message.id!r}")
    for message, errors in catalogue.check():
        problems += [f"{message.id!r}: {error}" for error in errors]
    assert problems == []


def test_zh_tw_uses_the_glossary_terms() -> None:
    """docs/GLOSSARY.md: where the English sentence says the term, the zh-TW one uses the datasheet's word."""
    terms = {"first technical contact": "首次技術聯絡", "impact level": "影響層級", "points": "點數",
             "technical escalation": "技術向上呈報", "business escalation": "業務向上呈報",
             "Quarterly technical review": "每季技術審查", "Quarterly business review": "每季業務審查",
             "Quarterly strategy review": "每季策略審查", "Remote review": "遠端審查", "onsite visit": "現場訪視",
             "Kick-off meeting": "專案啟動會議"}
    misses = []
    for message in _catalogue("zh_TW"):
        english = message.id if isinstance(message.id, str) else (message.id[1] if message.id else "")
        chinese = message.string if isinstance(message.string, str) else (message.string[0] or "")
        prose = re.sub(r"`[^`]*`", "", english).lower()  # `/flexcare points` is a command, not the word
        misses += [f"{english!r} -> {chinese!r} lacks {zh}" for en, zh in terms.items()
                   if chinese and en.lower() in prose and zh not in chinese]
    assert misses == []


def test_the_run_time_watch_names_an_id_the_catalogue_lacks() -> None:
    from tests.i18n.catalogue_watch import missing_from_template

    assert missing_from_template({"Follow my Slack language", "some status made up at run time"}) == [
        "some status made up at run time"]
