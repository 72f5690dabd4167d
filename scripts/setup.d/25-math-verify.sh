#!/usr/bin/env bash
# Math-Verify (PyPI math-verify, Apache-2.0) for the math grader's sandboxed worker (connectors/sandbox/worker.py),
# with its pure-Python dependencies, over Debian's sympy (20-sandbox.sh). Pinned wheels are kept in
# ~/.cache/arboretum/wheels (offline after the first run) and installed into /usr/local/lib/arboretum/pylib:
# under /usr because the sandbox binds /usr read-only and runs as nobody, who cannot read /root. Idempotent.
set -euo pipefail
WANT=(math-verify==0.9.0 latex2sympy2_extended==1.11.0 antlr4-python3-runtime==4.13.2)
PYLIB="${ARBORETUM_PYLIB:-/usr/local/lib/arboretum/pylib}"
WHEELS="${HOME}/.cache/arboretum/wheels"
STAMP="${PYLIB}/.installed-$(echo "${WANT[*]}" | sha1sum | cut -c1-12)"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if [ ! -f "$STAMP" ]; then
  if ! /usr/bin/python3 -m pip --version >/dev/null 2>&1; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-pip >/dev/null
  fi
  mkdir -p "$WHEELS"
  pip=(/usr/bin/python3 -m pip --disable-pip-version-check --quiet)
  tmp="$(mktemp -d)"
  install() {
    "${pip[@]}" install --no-deps --no-index --find-links "$WHEELS" --target "$tmp/pylib" "${WANT[@]}" 2>&1 |
      grep -v 'Running pip as the .root. user'
    [ -d "$tmp/pylib/math_verify" ]
  }
  # Offline from the cached wheels; PyPI only for what is not cached yet.
  if ! install >/dev/null 2>&1; then
    "${pip[@]}" download --no-deps --only-binary=:all: --dest "$WHEELS" "${WANT[@]}"
    rm -rf "$tmp/pylib"
    install || { echo "setup: math-verify did not install into $tmp/pylib" >&2; exit 1; }
  fi
  $SUDO mkdir -p "$(dirname "$PYLIB")"
  $SUDO rm -rf "$PYLIB"
  $SUDO cp -r "$tmp/pylib" "$PYLIB"
  $SUDO chmod -R a+rX "$PYLIB"
  $SUDO touch "$STAMP"
  rm -rf "$tmp"
fi
# The worker imports it from there inside the sandbox: check it does, with Debian's sympy.
/usr/bin/python3 -I -c "import sys; sys.path.insert(0, '$PYLIB'); from math_verify import parse, verify; assert verify(parse('\$\\\\frac{1}{2}\$'), parse('\$0.5\$'))" ||
  { echo "setup: math-verify in $PYLIB does not import with /usr/bin/python3" >&2; exit 1; }
