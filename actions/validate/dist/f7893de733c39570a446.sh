# shellcheck shell=bash disable=SC2034
# Shared by nat-boot.sh and test-nat.sh. Every environment-dependent input is a variable with
# its production default, so the lab runs these very scripts inside network namespaces.

# A path prefix for every file the scripts read or write ("" on an instance).
NATFLEET_ROOT=${NATFLEET_ROOT:-}
# Instance metadata (IMDSv2 only: every request carries a session token).
NATFLEET_IMDS=${NATFLEET_IMDS:-http://169.254.169.254}
# systemd: install and enable the boot unit; none: only write it (the lab starts it itself).
NATFLEET_BOOT_HOOK=${NATFLEET_BOOT_HOOK:-systemd}
# 1: write conntrack size to the kernel (read-only inside a network namespace).
NATFLEET_CONNTRACK_APPLY=${NATFLEET_CONNTRACK_APPLY:-1}
# How long the boot service waits for a default route, in seconds.
NATFLEET_WAIT_SECONDS=${NATFLEET_WAIT_SECONDS:-60}

NATFLEET_CONF_DIR=$NATFLEET_ROOT/etc/natfleet
NATFLEET_RUN_DIR=$NATFLEET_ROOT/run/natfleet
NATFLEET_SYSCTL_DIR=$NATFLEET_ROOT/etc/sysctl.d
NATFLEET_MODPROBE_DIR=$NATFLEET_ROOT/etc/modprobe.d
NATFLEET_UNIT_DIR=$NATFLEET_ROOT/etc/systemd/system
NATFLEET_LIBEXEC=$NATFLEET_ROOT/usr/local/libexec/natfleet
NATFLEET_NFT_FILE=$NATFLEET_CONF_DIR/nat.nft
NATFLEET_UNIT=natfleet-nat.service
NATFLEET_TABLE=natfleet
# The packet mark of a reply the old instance relays to the new one during a handoff (ADR 0174).
NATFLEET_RELAY_MARK=0x6e6672

log() { printf 'natfleet: %s\n' "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

imds_token() {
  curl -fsS --max-time 2 --retry 10 --retry-delay 1 --retry-connrefused -X PUT \
    -H 'X-aws-ec2-metadata-token-ttl-seconds: 300' "$NATFLEET_IMDS/latest/api/token"
}

# imds_get TOKEN PATH: one metadata value (the token is fetched once by the caller).
imds_get() {
  curl -fsS --max-time 2 --retry 5 --retry-delay 1 --retry-connrefused \
    -H "X-aws-ec2-metadata-token: $1" "$NATFLEET_IMDS/latest/meta-data/$2"
}

# Default routes of the main table as "METRIC DEV ROUTE" lines (ROUTE as ip prints it), lowest
# metric first.
default_routes() {
  ip -4 -o route show default | awk '{
    dev = ""; metric = 0
    for (i = 1; i < NF; i++) { if ($i == "dev") dev = $(i + 1); if ($i == "metric") metric = $(i + 1) }
    if (dev != "") print metric, dev, $0
  }' | sort -n -k1,1
}

# The interface with MAC $1 (the primary's, from metadata); empty when none has it.
iface_of_mac() {
  local d
  for d in /sys/class/net/*; do [ "$(cat "$d/address" 2>/dev/null)" = "$1" ] && printf '%s\n' "${d##*/}" && return; done
  return 0
}

mac_of() { cat "/sys/class/net/$1/address"; }

# Interfaces with an IPv4 configuration (what /proc/sys/net/ipv4/conf lists), except lo.
interfaces() {
  local d
  for d in /proc/sys/net/ipv4/conf/*; do
    d=${d##*/}
    case $d in all | default | lo) ;; *) printf '%s\n' "$d" ;; esac
  done
}

sysctl_path() { printf '/proc/sys/%s' "${1//.//}"; }
sysctl_get() { cat "$(sysctl_path "$1")"; }

# sysctl_set KEY VALUE: write, then read back (a rejected write can still exit 0).
sysctl_set() {
  local path
  path=$(sysctl_path "$1")
  [ -e "$path" ] || die "sysctl $1 does not exist on this kernel; fix: remove it from /etc/sysctl.d/90-natfleet-*.conf"
  printf '%s\n' "$2" >"$path" 2>/dev/null || die "sysctl $1 could not be set to $2; fix: sysctl -w $1=$2 shows why"
  [ "$(cat "$path")" = "$2" ] || die "sysctl $1 reads $(cat "$path") after writing $2; fix: find what resets it (sysctl --system, another tool)"
}

# Lines "KEY VALUE" of a sysctl.d file, comments and blanks left out.
sysctl_file_entries() {
  sed -e 's/#.*//' -e 's/[[:space:]]*=[[:space:]]*/ /' -e 's/^[[:space:]]*//' "$1" | awk 'NF == 2'
}

# What iptables-legacy and ip6tables-legacy hold: rules, user chains, non-ACCEPT policies,
# as "TOOL TABLE: WHAT" lines. Reads only (-L would create tables); nothing without the module.
# (/proc files report size 0: test for content, not size.)
legacy_leftovers() {
  local fam
  for fam in ip ip6; do
    grep -qs . "/proc/net/${fam}_tables_names" || continue
    command -v "${fam}tables-legacy-save" >/dev/null || continue
    "${fam}tables-legacy-save" | awk -v tool="${fam}tables-legacy" '
    /^\*/ { table = tool " " substr($0, 2) }
    /^-A / { print table ": " $0 }
    /^:/ {
      chain = substr($1, 2)
      if (chain !~ /^(PREROUTING|INPUT|FORWARD|OUTPUT|POSTROUTING)$/) print table ": user chain " chain
      else if ($2 != "ACCEPT") print table ": policy " chain " " $2
    }'
  done
}

# nftables tables other than natfleet's own, as "family name" lines.
foreign_nft_tables() {
  nft list tables | awk -v own="$NATFLEET_TABLE" '$1 == "table" && !($2 == "ip" && $3 == own) { print $2, $3 }'
}

# Conntrack table size from memory: an entry costs ~320 bytes, the table may use 1/8 of RAM,
# clamped to 65536..4194304; one hash bucket per entry (the kernel's own ratio).
conntrack_max() {
  local kb
  kb=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
  local n=$((kb * 1024 / 8 / 320 / 1024 * 1024))
  ((n < 65536)) && n=65536
  ((n > 4194304)) && n=4194304
  printf '%s\n' "$n"
}

# Idle timeouts, in seconds (docs/image.md says why): longer than NAT Gateway's 350 s and than
# the 7200 s default TCP keepalive, far shorter than the kernel's 5 days.
conntrack_timeouts() {
  cat <<'TIMEOUTS'
net.netfilter.nf_conntrack_tcp_timeout_established = 7440
net.netfilter.nf_conntrack_udp_timeout = 60
net.netfilter.nf_conntrack_udp_timeout_stream = 180
TIMEOUTS
}

# The floating egress address (ADR 0140): the one the handoff adopted in this boot (/run), else
# the second of the primary interface's local-ipv4s ($1, metadata's list); empty for none.
floating_address() {
  if [ -s "$NATFLEET_RUN_DIR/floating" ]; then
    head -n 1 "$NATFLEET_RUN_DIR/floating"
    return
  fi
  printf '%s\n' "$1" | awk 'NF { n++ } NF && n == 2 { print; exit }'
}

# What the NAT rule translates to: the floating address, or the interface's primary address.
egress_statement() { if [ -n "$1" ]; then printf 'snat to %s' "$1"; else printf masquerade; fi; }

# With a floating address: a packet to it that no entry translated is dropped (never answered
# with a reset), and forwarded packets conntrack finds invalid are dropped (sent again later),
# except the replies a handoff relays to the new instance (nat-handoff.sh marks them).
floating_chains() {
  [ -n "$1" ] || return 0
  cat <<NFT
  chain floating_input {
    type filter hook input priority filter; policy accept;
    ip daddr $1 counter drop comment "natfleet-floating-untranslated"
  }
  chain floating_forward {
    type filter hook forward priority filter; policy accept;
    meta mark $NATFLEET_RELAY_MARK counter accept comment "natfleet-handoff-relayed"
    ct state invalid counter drop comment "natfleet-floating-invalid"
  }
NFT
}
