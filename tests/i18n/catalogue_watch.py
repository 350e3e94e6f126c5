"""A pytest plugin: every message id `_()` / `n_()` looks up while the suite runs must be in the catalogue.

Extraction only sees literal ids; an id chosen at run time (`_(request.status)`, a table without `N_()`)
would reach people untranslated. This records every id the whole suite looks up and fails the run,
naming them, when one is missing from locale/flexcare.pot (fix: mark it with `N_()`, run scripts/i18n).
"""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from domain import words

TEMPLATE = Path(__file__).resolve().parents[2] / "locale" / "flexcare.pot"
_seen: set[str] = set()


def missing_from_template(seen: set[str]) -> list[str]:
    with TEMPLATE.open("rb") as source:
        known = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(source) if m.id}
    return sorted(seen - known)


def pytest_configure(config: pytest.Config) -> None:
    words.observer = _seen.add


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    missing = missing_from_template(_seen)
    if missing:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        reporter.write_line(
            "message ids looked up at run time but missing from the catalogue (mark them with N_(), run "
            "scripts/i18n, translate):\n  " + "\n  ".join(repr(m) for m in missing), red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
