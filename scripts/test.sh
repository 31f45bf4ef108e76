#!/usr/bin/env bash
# Install everything the tests need and run ALL of them (Python, JS unit tests
# through pytest, browser tests in chromium, JupyterLab tests), on a fresh
# Debian machine as root or on a developer machine. Re-runs are fast: apt is
# skipped when the packages are there, the virtualenv is reused and npm ci is
# skipped while js/node_modules is current.
#
#   bash scripts/test.sh                 # everything
#   bash scripts/test.sh -m "not e2e"    # extra arguments go to pytest
#
# Environment: JW_VENV (default .venv), PYTHON (default python3),
# JW_SKIP_INSTALL=1 to only run pytest in the existing virtualenv.
# pytest's summary line is the last thing printed; the exit code is pytest's.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
VENV=${JW_VENV:-$ROOT/.venv}
PYTHON=${PYTHON:-python3}
export PIP_DISABLE_PIP_VERSION_CHECK=1
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1   # we use Debian's chromium, never a download
export JUPYTER_PLATFORM_DIRS=1
export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

say() { printf '[test.sh] %s\n' "$*"; }

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

java_ok() {
  command -v java >/dev/null 2>&1 || return 1
  local v
  v=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
  [ -n "$v" ] && [ "$v" -ge 17 ]
}

# ---------------------------------------------------------------- 1. system packages
if [ "${JW_SKIP_INSTALL:-0}" != 1 ] && command -v apt-get >/dev/null 2>&1; then
  need=()
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  installed fonts-liberation || need+=(fonts-liberation)
  java_ok || need+=(openjdk-17-jre-headless)          # pyspark
  command -v npm >/dev/null 2>&1 || need+=(nodejs npm) # esbuild + vitest
  command -v git >/dev/null 2>&1 || need+=(git)
  if [ "${#need[@]}" -gt 0 ]; then
    SUDO=""
    if [ "$(id -u)" != 0 ]; then
      if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
        say "need root (or sudo) to apt-get install ${need[*]}"; exit 1
      fi
    fi
    say "apt-get install ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
    $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq "${need[@]}" >/dev/null
  else
    say "system packages present (chromium, java >= 17, node/npm): apt skipped"
  fi
fi

# ---------------------------------------------------------------- 2. virtualenv + package
if [ ! -x "$VENV/bin/python" ]; then
  say "creating virtualenv $VENV"
  "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"

if [ "${JW_SKIP_INSTALL:-0}" != 1 ]; then
  # The jupyter-builder hook runs npm ci/install + npm run build in js/.
  say "pip install -e .[test] (builds the front end)"
  # (the grep only drops this machine's pip-config noise about missing local mirrors)
  set +e
  "$PY" -m pip install -q --progress-bar off -e ".[test]" 2>&1 | grep -v "^WARNING: Location 'file:"
  pip_status=${PIPESTATUS[0]}
  set -e
  if [ "$pip_status" -ne 0 ]; then say "pip install failed ($pip_status)"; exit "$pip_status"; fi

  # ------------------------------------------------------------ 3. JS deps for vitest
  # (the hook normally did it already; same rules: npm ci, npm install --no-save if refused)
  "$PY" -c 'import sys; sys.path.insert(0, "scripts"); import hatch_npm as h, pathlib, shutil
js = pathlib.Path("js")
if not h._node_modules_current(js):
    h.npm_install(js, shutil.which("npm"))'

fi

# ---------------------------------------------------------------- 4. all tests
say "chromium: $(command -v chromium || echo missing); node $(node --version 2>/dev/null || echo missing); $("$PY" --version)"
cd "$ROOT"
exec "$PY" -m pytest --durations=15 "$@"
