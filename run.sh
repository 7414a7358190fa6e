#!/usr/bin/env bash
# Runs the bot. With no TELEGRAM_BOT_TOKEN configured (environment or .env) it starts the
# offline console chat instead, and says how to add a token.
set -euo pipefail
source "$(dirname "$0")/scripts/bootstrap.sh"
bootstrap ""
exec .venv/bin/python -m bot "$@"
