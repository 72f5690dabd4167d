#!/usr/bin/env bash
# The sandbox (connectors/sandbox): bubblewrap, and Debian's own Python 3 with numpy and sympy, which the
# sandbox runs by default as /usr/bin/python3 (the pyenv python3 on PATH is not visible inside bubblewrap).
set -euo pipefail
need=()
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
[ -x /usr/bin/python3 ] || need+=(python3)
/usr/bin/python3 -c 'import numpy' 2>/dev/null || need+=(python3-numpy)
/usr/bin/python3 -c 'import sympy' 2>/dev/null || need+=(python3-sympy)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
# Fails loudly when the machine does not allow the user namespaces bubblewrap needs.
bwrap --unshare-all --die-with-parent --ro-bind /usr /usr --symlink usr/lib /lib --symlink usr/lib64 /lib64 \
  --symlink usr/bin /bin --ro-bind /etc/alternatives /etc/alternatives --proc /proc --dev /dev \
  /usr/bin/python3 -c 'import numpy, sympy' ||
  { echo "setup: bubblewrap cannot start a sandbox here (user namespaces disabled?)" >&2; exit 1; }
