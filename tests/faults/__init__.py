"""Faults (issue 11): each a test bounded in time, on loopback only.

- Slack's Web API answering 429 with Retry-After, 500s and timeouts for a minute: `test_slack_unwell.py`.
- PostgreSQL restarted under load, the bot not: `test_postgres_restart.py` (a private throwaway cluster).
- The bot process killed with SIGKILL mid-dispatch and restarted, delivery still exactly once:
  `tests/scheduler/test_cli_processes.py` (killed between claiming and posting, and between Slack's
  answer and the commit; `flexcare sweep` runs the same Dispatcher as `serve`, `run` and `scheduler`).
- A SQLite database locked by another writer: `test_sqlite_locked.py`.

`test_fault_windows.py` covers the stand-in's time-boxed faults the first one is built from.
"""
