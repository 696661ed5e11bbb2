# natfleet-nat.service: makes this instance a NAT at every boot, before it counts as ready.
# Idempotent: running it again converges to the same state.
set -euo pipefail
# shellcheck source=natfleet-lib.sh
. "$(dirname "$0")/natfleet-lib.sh"

# 1. The uplink is whatever holds the default route now; wait (bounded) until one exists.
route=""
for ((i = 0; i < NATFLEET_WAIT_SECONDS; i++)); do
  route=$(default_route)
  [ -n "$route" ] && break
  sleep 1
done
[ -n "$route" ] || die "no default route after ${NATFLEET_WAIT_SECONDS}s: cannot tell the uplink"
uplink=${route%% *}

# 2. The VPC's CIDRs and the primary interface's MAC, from instance metadata (IMDSv2).
token=$(imds_token) || die "no IMDSv2 token from $NATFLEET_IMDS"
mac=$(imds_get "$token" mac) || die "instance metadata has no mac"
cidrs=$(imds_get "$token" "network/interfaces/macs/$mac/vpc-ipv4-cidr-blocks") ||
  die "instance metadata has no vpc-ipv4-cidr-blocks for $mac"
[ -n "$cidrs" ] || die "instance metadata lists no VPC CIDR for $mac"
# Seed 002: a late second interface may have taken the default route; never NAT through it.
[ "$(mac_of "$uplink")" = "$mac" ] ||
  die "the default route leaves via $uplink ($(mac_of "$uplink")), not the primary interface ($mac per instance metadata): refusing to masquerade on a secondary interface"

# 3. Forwarding on, ICMP redirects off, reverse-path filter loose (strict drops NAT replies).
mkdir -p "$NATFLEET_SYSCTL_DIR" "$NATFLEET_CONF_DIR" "$NATFLEET_MODPROBE_DIR" "$NATFLEET_RUN_DIR"
{
  echo "# natfleet enable-nat: written at every boot"
  echo "net.ipv4.ip_forward = 1"
  for scope in all default $(interfaces); do
    echo "net.ipv4.conf.$scope.send_redirects = 0"
    echo "net.ipv4.conf.$scope.accept_redirects = 0"
    echo "net.ipv4.conf.$scope.rp_filter = 2"
  done
} >"$NATFLEET_SYSCTL_DIR/90-natfleet-nat.conf"

# 4. Seed 001: one netfilter backend. Clean iptables-legacy with iptables-legacy itself,
# flushing every chain before deleting any, then scan again.
if grep -qs . /proc/net/ip_tables_names && command -v iptables-legacy >/dev/null; then
  while read -r table; do
    iptables-legacy -t "$table" -F || die "iptables-legacy could not flush table $table"
    iptables-legacy -t "$table" -X || die "iptables-legacy could not delete the chains of $table"
    for chain in $(iptables-legacy-save -t "$table" | awk '/^:/ && $2 != "-" { print substr($1, 2) }'); do
      iptables-legacy -t "$table" -P "$chain" ACCEPT || die "iptables-legacy could not reset $table $chain"
    done
  done </proc/net/ip_tables_names
  left=$(legacy_leftovers)
  [ -z "$left" ] || die "iptables-legacy still holds rules after cleanup: $left"
  log "iptables-legacy is empty"
fi
foreign=$(foreign_nft_tables | tr '\n' ' ')
[ -z "$foreign" ] || die "nftables holds tables natfleet did not make (${foreign% }): remove them with the tool that made them; natfleet uses one backend"

# 5. natfleet's table, replaced in one transaction from a file that stays on disk.
elements=$(printf '%s\n' "$cidrs" | awk 'NF { printf "%s%s", sep, $1; sep = ", " }')
cat >"$NATFLEET_NFT_FILE.new" <<NFT
# natfleet enable-nat: written at every boot from instance metadata; loaded with nft -f.
table ip $NATFLEET_TABLE {}
delete table ip $NATFLEET_TABLE
table ip $NATFLEET_TABLE {
  set vpc {
    type ipv4_addr
    flags interval
    auto-merge
    elements = { $elements }
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr @vpc oifname "$uplink" counter masquerade comment "natfleet-masquerade"
  }
}
NFT
nft -c -f "$NATFLEET_NFT_FILE.new" || die "nft rejected $NATFLEET_NFT_FILE.new"
mv "$NATFLEET_NFT_FILE.new" "$NATFLEET_NFT_FILE"
nft -f "$NATFLEET_NFT_FILE" || die "nft could not load $NATFLEET_NFT_FILE"

# 6. Conntrack: size from memory (kernel-wide, so only on the instance), timeouts written down.
max=$(conntrack_max)
echo "options nf_conntrack hashsize=$max" >"$NATFLEET_MODPROBE_DIR/natfleet-conntrack.conf"
{
  echo "# natfleet enable-nat: conntrack size from memory and idle timeouts"
  echo "net.netfilter.nf_conntrack_max = $max"
  conntrack_timeouts
} >"$NATFLEET_SYSCTL_DIR/90-natfleet-conntrack.conf"
if [ "$NATFLEET_CONNTRACK_APPLY" = 1 ]; then
  echo "$max" >/sys/module/nf_conntrack/parameters/hashsize
fi

# 7. Every natfleet sysctl file (harden-nat's too), applied and read back.
for f in "$NATFLEET_SYSCTL_DIR"/90-natfleet-*.conf; do
  [ -e "$f" ] || continue
  while read -r key value; do
    if [ "$key" = net.netfilter.nf_conntrack_max ] && [ "$NATFLEET_CONNTRACK_APPLY" != 1 ]; then
      continue
    fi
    sysctl_set "$key" "$value"
  done < <(sysctl_file_entries "$f")
done

# 8. What this boot did, for test-nat (/run is empty again after a reboot).
cat >"$NATFLEET_RUN_DIR/boot.env" <<ENV
uplink=$uplink
mac=$mac
cidrs="$(printf '%s' "$cidrs" | tr '\n' ' ')"
ENV
log "NAT on: $(printf '%s' "$cidrs" | tr '\n' ' ')-> masquerade out of $uplink ($mac); conntrack_max $max"
