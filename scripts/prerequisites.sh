#!/usr/bin/env bash
# What `npm test` needs besides Node, checked before it starts, each named with how to get it:
#   - node_modules (installed with npm ci when missing), Node 20 or newer (22+ supported, 24 what the actions run on);
#   - cfn-lint and moto_server at the versions the tests were written against (Python; PyPI);
#   - for the lab tests (root only; they skip otherwise): the Debian packages below. As root
#     with apt-get, missing ones are installed, and it says so.
# NATFLEET_LAB_REQUIRED=1 (CI) makes a missing lab prerequisite a failure instead of a skip.
# Exit 0 when the tests can run, 1 with the list of what is missing and the commands to fix it.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

CFN_LINT_VERSION=1.51.0
MOTO_VERSION=5.2.1
# command:package for the lab (network namespaces, nft, iptables, iperf3) and shellcheck.
LAB_PACKAGES="ip:iproute2 nft:nftables iptables-legacy:iptables iperf3:iperf3 shellcheck:shellcheck curl:curl sysctl:procps jq:jq dhclient:isc-dhcp-client dnsmasq:dnsmasq-base conntrack:conntrack"
PIP="python3 -m pip install \"cfn-lint==$CFN_LINT_VERSION\" \"moto[server]==$MOTO_VERSION\""

missing=()
say() { printf 'prerequisites: %s\n' "$*"; }

# Node and the packages.
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  missing+=("Node 20 or newer (found $(node --version 2>/dev/null || echo none)); install Node 24 from https://nodejs.org or your package manager")
elif [ "$node_major" -lt 22 ]; then
  say "Node $(node --version): the tests run, but natfleet supports Node 22 and newer (24 is what the actions run on)"
fi
if [ ! -x node_modules/.bin/jest ]; then
  if command -v npm >/dev/null && say "installing the npm packages: npm ci" && npm ci --no-audit --no-fund; then
    say "installed the npm packages"
  else
    missing+=("the npm packages: \"npm ci\" failed or npm is missing")
  fi
fi

# Python tools, pinned: another cfn-lint knows other resource schemas, another moto behaves
# differently from the one the tests were written against.
python_tools=()
if ! command -v cfn-lint >/dev/null; then
  python_tools+=("cfn-lint $CFN_LINT_VERSION")
else
  found=$(cfn-lint --version 2>/dev/null | awk '{print $NF}')
  [ "$found" = "$CFN_LINT_VERSION" ] ||
    say "cfn-lint $found found; the tests were written against $CFN_LINT_VERSION: $PIP"
fi
if ! command -v moto_server >/dev/null; then
  python_tools+=("moto[server] $MOTO_VERSION (moto_server)")
else
  # Its version, when the python3 on PATH is the one moto_server runs on.
  found=$(python3 -c 'import moto; print(moto.__version__)' 2>/dev/null || echo "$MOTO_VERSION")
  [ "$found" = "$MOTO_VERSION" ] ||
    say "moto $found found; the tests were written against $MOTO_VERSION: $PIP"
fi
if [ ${#python_tools[@]} -gt 0 ]; then
  list=$(IFS=,; echo "${python_tools[*]}")
  missing+=("${list//,/, } on PATH: $PIP (Python 3.9 or newer)")
fi

# The lab's Debian packages.
lab=()
for pair in $LAB_PACKAGES; do
  command -v "${pair%%:*}" >/dev/null || lab+=("${pair#*:}")
done
apt_command="apt-get install -y --no-install-recommends ${lab[*]:-}"
if [ ${#lab[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing the lab's Debian packages: ${lab[*]}"
    if apt-get update -qq && DEBIAN_FRONTEND=noninteractive $apt_command -qq >/dev/null; then
      say "installed ${lab[*]}"
      lab=()
    else
      missing+=("the Debian packages ${lab[*]}: \"$apt_command\" failed (above)")
    fi
  elif [ "${NATFLEET_LAB_REQUIRED:-}" = 1 ]; then
    missing+=("the Debian packages ${lab[*]}, for the lab tests: sudo $apt_command")
  else
    say "the lab tests will skip: they need ${lab[*]} (sudo $apt_command)"
  fi
fi
if [ "$(id -u)" != 0 ]; then
  if [ "${NATFLEET_LAB_REQUIRED:-}" = 1 ]; then
    missing+=("root, for the lab tests (network namespaces): run as root or with sudo")
  elif [ ${#lab[@]} -eq 0 ]; then
    say "the lab tests will skip: they need root (network namespaces)"
  fi
fi

if [ ${#missing[@]} -gt 0 ]; then
  say "cannot run the tests; missing:"
  for m in "${missing[@]}"; do printf '  - %s\n' "$m"; done
  exit 1
fi
say "all there"
