# Sourced by scripts/run and scripts/test: a virtual environment with the project installed,
# reinstalled only when pyproject.toml changes (so both commands stay fast and idempotent).
# Usage: setup_venv [EXTRA]
setup_venv() {
  local extra="${1:-}" python="${PYTHON:-python3}"
  if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "flexcare needs Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2
    return 1
  fi
  [ -x .venv/bin/python ] || "$python" -m venv .venv
  local stamp=".venv/.flexcare-installed${extra:+-$extra}"
  local want
  want=$(sha256sum pyproject.toml | cut -c1-16)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "Installing flexcare-bot${extra:+ with [$extra]} into .venv ..." >&2
    # pip's and setuptools' chatter goes to a log, shown only when the install fails.
    if ! { .venv/bin/python -m pip install --disable-pip-version-check --upgrade pip &&
           .venv/bin/python -m pip install --disable-pip-version-check -e ".${extra:+[$extra]}"; } \
         >.venv/install.log 2>&1; then
      tail -n 40 .venv/install.log >&2
      echo "Installing failed; the whole log is in .venv/install.log" >&2
      return 1
    fi
    echo "$want" >"$stamp"
  fi
}

# The local PostgreSQL the tests use (127.0.0.1:5432, trust auth); started when it is stopped.
ensure_postgres() {
  local probe=(.venv/bin/python -c "import psycopg; psycopg.connect('host=127.0.0.1 port=5432 user=postgres dbname=postgres', connect_timeout=3).close()")
  "${probe[@]}" 2>/dev/null && return 0
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "Starting the local PostgreSQL ..." >&2
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do "${probe[@]}" 2>/dev/null && return 0; sleep 1; done
  fi
  echo "PostgreSQL is not reachable at 127.0.0.1:5432; its tests will be skipped (and fail under CI)." >&2
  return 1
}
