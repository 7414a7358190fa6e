# Shared set-up for run.sh and test.sh: a virtualenv in .venv with this project installed.
# Re-installs only when pyproject.toml changed, so repeated runs start quickly.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

find_python() {
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  echo "Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)." >&2
  return 1
}

bootstrap() {
  local extra="$1"  # "" for running the bot, "dev" for tests and checks
  local stamp=".venv/.installed${extra:+-$extra}"
  if [ ! -x .venv/bin/python ]; then
    echo "Creating the virtual environment in .venv ..." >&2
    "$(find_python)" -m venv .venv
  fi
  local want
  want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "Installing dependencies (first run only; details in .venv/install.log) ..." >&2
    if ! { .venv/bin/python -m pip install --upgrade pip &&
           .venv/bin/python -m pip install -e ".${extra:+[$extra]}"; } > .venv/install.log 2>&1; then
      tail -n 30 .venv/install.log >&2
      echo "Installing dependencies failed; see .venv/install.log" >&2
      return 1
    fi
    echo "$want" > "$stamp"
  fi
}
