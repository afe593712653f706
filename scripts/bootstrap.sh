#!/usr/bin/env bash
# Set up everything briefgen needs on Debian (system packages, fonts, a local venv), then
# `build` every brief into build/ or run the `test` suite.  Usage: scripts/bootstrap.sh build|test
set -euo pipefail
cd "$(dirname "$0")/.."

task="${1:-build}"
shift || true
VENV="${VENV:-.venv}"

# Pango/HarfBuzz for WeasyPrint, the fonts every PDF embeds (templates/fonts/fonts.conf),
# poppler and qpdf to inspect PDFs; ICU headers, pkg-config, a C++ compiler and Python's
# headers to compile PyICU (the leak guard's confusables data; PyPI has no wheel of it).
packages=(python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
          fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji poppler-utils qpdf libicu-dev pkg-config python3-dev)
command -v g++ >/dev/null || packages+=(g++)

# The test suite also checks the HTML with the Nu checker (Java) and axe-core in headless
# Chromium (with chromedriver); npm fetches both checkers. Installed only when absent.
if [ "$task" = test ]; then
  command -v java >/dev/null || packages+=(default-jre-headless)
  command -v chromium >/dev/null || packages+=(chromium)
  command -v chromedriver >/dev/null || packages+=(chromium-driver)
  command -v npm >/dev/null || packages+=(npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "bootstrap: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "bootstrap: these Debian packages are missing; install them and run again:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "bootstrap: briefgen needs Python 3.11 or newer ($python is $("$python" -V 2>&1))" >&2
  exit 1
fi
if [ ! -x "$VENV/bin/python" ]; then
  "$python" -m venv "$VENV"
fi
extras=""
[ "$task" = test ] && extras="[test]"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -e ".$extras"

case "$task" in
  build) exec "$VENV/bin/briefgen" build "$@" ;;
  test)  exec "$VENV/bin/python" -m pytest -q -n auto "$@" ;;
  setup) echo "bootstrap: ready; run $VENV/bin/briefgen --help" ;;
  *) echo "usage: scripts/bootstrap.sh build|test|setup [args…]" >&2; exit 2 ;;
esac
