"""`flexcare`: the command line. Parses arguments, builds the pieces in order, runs one command.

Nothing is wired at import time (STYLE 2.6): `main()` loads settings, then builds what the
chosen command needs.
"""

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.exc import OperationalError

from bot import doctor, report_cli, runtime, scheduling
from bot.logs import configure as configure_logging
from bot.settings import Settings, SettingsError, load_settings
from domain.contracts import service as contracts
from domain.contracts.spec import ContractFileError, parse_contract_file
from domain.errors import FlexcareError
from domain.points.menu import MenuError

log = logging.getLogger("flexcare")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        from dotenv import load_dotenv

        load_dotenv(Path.cwd() / ".env", override=False)  # the environment wins over the file
        settings = load_settings(os.environ)
    except SettingsError as exc:
        print(f"flexcare: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings)  # LOG_FORMAT=json for one JSON object a line; secrets masked either way
    if settings.log_level != "DEBUG":
        logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per migration is noise at start
    try:
        return int(args.command(settings, args) or 0)
    except MenuError as exc:  # a settings problem like any other: one sentence per problem, exit 2
        for problem in exc.errors:
            print(f"flexcare: FLEXCARE_SERVICE_MENU cannot be used: {problem.rstrip('.')}.", file=sys.stderr)
        return 2
    except FlexcareError as exc:
        print(f"flexcare: {exc}", file=sys.stderr)
        return 1
    except OperationalError as exc:
        log.debug("database error", exc_info=True)
        print(f"flexcare: cannot use the database at {settings.database_url.render_as_string()}: "
              f"{exc.orig or exc}", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="flexcare", description="FlexCare support-programme bot for Slack.")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")

    def command(name: str, handler: object, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(command=handler)
        return p

    run = command("run", runtime.run, "Run the bot over Socket Mode, with the scheduler in the same process.")
    run.add_argument("--no-scheduler", action="store_true", help="leave the scheduler to another process")
    serve = command("serve", runtime.serve, "Serve Slack's HTTP requests (production) with gunicorn.")
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")))
    serve.add_argument("--workers", type=int, default=2)
    serve.add_argument("--threads", type=int, default=8)
    serve.add_argument("--with-scheduler", action="store_true", help="also run the scheduler in each worker")
    command("scheduler", scheduling.run_scheduler, "Run the scheduler alone (sweeps and delivery) until stopped.")
    sweep = command("sweep", scheduling.run_sweep, "Run every sweep once at an instant, then deliver what is due.")
    sweep.add_argument("--now", type=scheduling.instant, help="ISO-8601 instant with offset (default: now)")
    console = command("console", runtime.console, "Try the bot with no Slack workspace: type /flexcare lines.")
    console.add_argument("--user", help="the Slack user id you act as (default: the first customer admin)")
    command("doctor", doctor.run_doctor, "Check the Slack tokens and scopes, the database and the linked channels, "
            "and say what to fix.")

    db = sub.add_parser("db", help="database schema").add_subparsers(required=True, metavar="ACTION")
    p = db.add_parser("upgrade", help="apply every pending migration")
    p.set_defaults(command=_db_upgrade)
    p = db.add_parser("revision", help="developers: autogenerate a migration from the records")
    p.add_argument("-m", "--message", required=True)
    p.set_defaults(command=_db_revision)

    con = sub.add_parser("contracts", help="contracts").add_subparsers(required=True, metavar="ACTION")
    p = con.add_parser("import", help="import or update contracts from a YAML file (all or nothing)")
    p.add_argument("file", type=Path)
    p.set_defaults(command=_contracts_import)
    p = con.add_parser("list", help="list contracts")
    p.add_argument("--json", action="store_true")
    p.set_defaults(command=_contracts_list)
    p = con.add_parser("show", help="show one contract")
    p.add_argument("id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(command=_contracts_show)
    pts = sub.add_parser("points", help="points").add_subparsers(required=True, metavar="ACTION")
    p = pts.add_parser("reconcile", help="check each contract year's running totals against its ledger entries")
    p.add_argument("--repair", action="store_true", help="set drifted totals to what the entries add up to")
    p.set_defaults(command=_points_reconcile)
    report_cli.add_commands(sub)  # issue 8: report, reviews ics
    return parser


def _points_reconcile(settings: Settings, args: argparse.Namespace) -> int:
    from domain.points import totals

    db = runtime.open_database(settings)
    with db.begin() as session:
        drifted = totals.reconcile(session, repair=args.repair)
    for mismatch in drifted:
        print(mismatch.describe())
    if not drifted:
        print("Every contract year's points totals equal the sum of its ledger entries.")
        return 0
    print(f"{len(drifted)} contract year(s) {'repaired from their entries' if args.repair else 'differ'}.")
    return 0 if args.repair else 1


def _db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    runtime.open_database(settings)
    print("Database is up to date.")
    return 0


def _db_revision(settings: Settings, args: argparse.Namespace) -> int:
    from bot.db import make_engine
    from bot.migrate import make_revision

    make_revision(make_engine(settings.database_url), args.message)
    return 0


def _contracts_import(settings: Settings, args: argparse.Namespace) -> int:
    db = runtime.open_database(settings)
    try:
        text = args.file.read_text(encoding="utf-8")
    except OSError as exc:
        print(f"flexcare: cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 1
    try:
        specs = parse_contract_file(text, source=args.file.name)
        with db.begin() as session:
            report = contracts.import_contracts(session, specs, source=args.file.name, now=datetime.now(UTC))
    except ContractFileError as exc:
        print(f"Refused {args.file.name}; nothing was imported:", file=sys.stderr)
        print("\n".join(f"  {line}" for line in exc.errors), file=sys.stderr)
        return 1
    print(f"{args.file.name}: {len(report.created)} created, {len(report.updated)} updated, "
          f"{len(report.unchanged)} unchanged.")
    return 0


def _contracts_list(settings: Settings, args: argparse.Namespace) -> int:
    db = runtime.open_database(settings)
    with db() as session:
        rows = [contracts.describe(c) for c in contracts.list_contracts(session)]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print("No contracts yet. Import some with: flexcare contracts import examples/contracts.yml")
        return 0
    table = [("ID", "CUSTOMER", "BASE", "LOCATION", "TERM", "OPTIONS")] + [
        (r["id"], r["customer"], r["base_support"],
         f"{r['location']['country']}{'-' + r['location']['subdivision'] if r['location']['subdivision'] else ''}"
         f" {r['location']['timezone']}",
         f"{r['term']['start']} to {r['term']['end']}", ", ".join(sorted({o["type"] for o in r["options"]})))
        for r in rows]
    print(_table(table))
    return 0


def _contracts_show(settings: Settings, args: argparse.Namespace) -> int:
    db = runtime.open_database(settings)
    with db() as session:
        contract = contracts.get_contract(session, args.id)
        row = contracts.describe(contract)
        row["history"] = [{"at": e.at.isoformat(), "kind": e.kind, "detail": e.detail}
                          for e in contracts.history(session, args.id)]
    if args.json:
        print(json.dumps(row, indent=2, ensure_ascii=False))
        return 0
    loc = row["location"]
    print(f"{row['id']}  {row['customer']}")
    print(f"  base support   {row['base_support']}")
    print(f"  location       {loc['country']} {loc['subdivision'] or ''} {loc['timezone']}".replace("  ", " "))
    print(f"  term           {row['term']['start']} to {row['term']['end']}")
    print(f"  service hours  {row['service_hours']['start']}-{row['service_hours']['end']}")
    for y in row["years"]:
        print(f"  year {y['year']}         {y['start']} to {y['end']}, {y['points']:g} points")
    print(_table([("OPTION", "SCOPE", "PERSON", "NOTES")] + [
        (o["type"], o["scope"], o["person"],
         "; ".join(n for n in (f"transferred from {o['transferred_from']}" if o["transferred_from"] else "",
                               "unavailable in this region" if o["unavailable"] else "") if n))
        for o in row["options"]], indent="  "))
    print(f"  customer admins   {', '.join(row['customer_admins']) or '-'}")
    print(f"  customer members  {', '.join(row['customer_members']) or '-'}")
    print(f"  channels          {', '.join(c['purpose'] + ' ' + c['channel'] for c in row['channels']) or '-'}")
    for event in row["history"]:
        print(f"  {event['at'][:19]}  {event['kind']}: {event['detail']}")
    return 0


def _table(rows: list[tuple[str, ...]], indent: str = "") -> str:
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    return "\n".join(indent + "  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
                     for r in rows)


if __name__ == "__main__":
    sys.exit(main())
