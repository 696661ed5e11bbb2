# natfleet-nat.service: makes this instance a NAT at every boot, before it counts as ready.
# Idempotent: running it again converges to the same state.
set -euo pipefail
# shellcheck source=natfleet-lib.sh
. "$(dirname "$0")/natfleet-lib.sh"

# 1. Wait (bounded) for a default route: metadata is reached through it.
for ((i = 0; i < NATFLEET_WAIT_SECONDS; i++)); do
  [ -n "$(default_routes)" ] && break
  sleep 1
done
[ -n "$(default_routes)" ] || die "no default route after ${NATFLEET_WAIT_SECONDS}s; fix: check the DHCP client of the primary interface (networkctl status), then systemctl restart $NATFLEET_UNIT"

# 2. The VPC's CIDRs and the primary interface's MAC, from instance metadata (IMDSv2).
token=$(imds_token) || die "no IMDSv2 token from $NATFLEET_IMDS; fix: enable the instance metadata service (HttpEndpoint enabled, hop limit 1)"
mac=$(imds_get "$token" mac) || die "instance metadata has no mac; fix: systemctl restart $NATFLEET_UNIT"
cidrs=$(imds_get "$token" "network/interfaces/macs/$mac/vpc-ipv4-cidr-blocks") ||
  die "instance metadata has no vpc-ipv4-cidr-blocks for $mac; fix: systemctl restart $NATFLEET_UNIT"
[ -n "$cidrs" ] || die "instance metadata lists no VPC CIDR for $mac; fix: systemctl restart $NATFLEET_UNIT"
# The floating egress address (ADR 0140): one the handoff adopted in this boot, else the primary
# interface's first secondary address. None: translate to the primary address (masquerade).
ipv4s=$(imds_get "$token" "network/interfaces/macs/$mac/local-ipv4s" 2>/dev/null || true)
floating=$(floating_address "$ipv4s")

# The uplink is the primary interface, known by its MAC, never by name or route order. A
# default route of another interface that wins or ties (a late ENI) is demoted below it.
uplink=$(iface_of_mac "$mac")
[ -n "$uplink" ] || die "no interface has the primary MAC $mac (per instance metadata); fix: ip link, then systemctl restart $NATFLEET_UNIT"
for ((i = 0; i < NATFLEET_WAIT_SECONDS; i++)); do
  pm=$(default_routes | awk -v d="$uplink" '$2 == d { print $1; exit }')
  [ -n "$pm" ] && break
  sleep 1
done
[ -n "${pm:-}" ] || die "the primary interface $uplink has no default route; fix: networkctl status $uplink (its DHCP lease), then systemctl restart $NATFLEET_UNIT"
while read -r metric dev route; do
  if [ "$dev" = "$uplink" ] || ((metric > pm)); then continue; fi
  route=$(sed -e 's/ metric [0-9]*//' -e 's/ linkdown//; s/ dead//' <<<"$route")
  # shellcheck disable=SC2086 # the route's own words
  # append: another interface's route may hold that metric already (add would refuse).
  if ! ip route del $route metric "$metric" || ! ip route append $route metric $((pm + 1)); then
    die "could not move the default route via $dev below $uplink's; fix: ip route del default dev $dev"
  fi
  log "default route via $dev (metric $metric) moved to metric $((pm + 1)): the primary interface $uplink ($mac per instance metadata) carries the NAT"
done < <(default_routes)
[ "$(default_routes | awk 'NR == 1 { print $2 }')" = "$uplink" ] ||
  die "the default route still does not leave via the primary interface $uplink; fix: ip route, then systemctl restart $NATFLEET_UNIT"

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

# 4. One netfilter backend. iptables-legacy and ip6tables-legacy are cleaned with themselves,
# flushing every chain before deleting any, then scanned again.
for fam in ip ip6; do
  tool=${fam}tables-legacy
  if ! grep -qs . "/proc/net/${fam}_tables_names" || ! command -v "$tool" >/dev/null; then continue; fi
  while read -r table; do
    { "$tool" -t "$table" -F && "$tool" -t "$table" -X; } || die "$tool could not clean table $table; fix: $tool-save -t $table, then $tool -t $table -F and -X"
    for chain in $("$tool-save" -t "$table" | awk '/^:/ && $2 != "-" { print substr($1, 2) }'); do
      "$tool" -t "$table" -P "$chain" ACCEPT || die "$tool could not reset $table $chain; fix: $tool -t $table -P $chain ACCEPT"
    done
  done <"/proc/net/${fam}_tables_names"
done
left=$(legacy_leftovers | tr '\n' ';')
[ -z "$left" ] || die "legacy iptables still holds rules after cleanup: ${left%;}; fix: remove them with that tool (-F, then -X), then systemctl restart $NATFLEET_UNIT"
foreign=$(foreign_nft_tables | tr '\n' ' ')
[ -z "$foreign" ] || die "nftables holds tables natfleet did not make (${foreign% }): another firewall tool's rules would mix with the NAT's; fix: remove them with the tool that made them (nft delete table ${foreign%% *} ...), then systemctl restart $NATFLEET_UNIT"

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
    # Not to the VPC: the instance's own traffic to its peers (the handoff channel) keeps its
    # address; with a floating address it would leave as the floating one.
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr @vpc ip daddr != @vpc oifname "$uplink" counter $(egress_statement "$floating") comment "natfleet-masquerade"
  }
$(floating_chains "$floating")
}
NFT
nft -c -f "$NATFLEET_NFT_FILE.new" || die "nft rejected $NATFLEET_NFT_FILE.new; fix: nft -c -f $NATFLEET_NFT_FILE.new shows why"
mv "$NATFLEET_NFT_FILE.new" "$NATFLEET_NFT_FILE"
nft -f "$NATFLEET_NFT_FILE" || die "nft could not load $NATFLEET_NFT_FILE; fix: nft -f $NATFLEET_NFT_FILE shows why"

# The floating address on the uplink: the NAT's replies come back to it.
if [ -n "$floating" ]; then
  ip addr replace "$floating/32" dev "$uplink" || die "could not add the floating address $floating to $uplink; fix: ip addr add $floating/32 dev $uplink"
fi

# 6. Conntrack: size from memory (kernel-wide, so only on the instance), timeouts written down.
max=$(conntrack_max)
echo "options nf_conntrack hashsize=$max" >"$NATFLEET_MODPROBE_DIR/natfleet-conntrack.conf"
{
  echo "# natfleet enable-nat: conntrack size from memory and idle timeouts"
  echo "net.netfilter.nf_conntrack_max = $max"
  conntrack_timeouts
  # A mid-stream packet with no entry is picked up (the kernel's default). With a floating
  # address that carries a flow the old instance began after the handoff's copy: the same
  # address, and the same port unless another flow holds it (ADR 0175).
  echo "net.netfilter.nf_conntrack_tcp_loose = 1"
  # An entry the handoff inserted has no window history (conntrack -I cannot carry it): judge
  # its packets liberally, or every one of them is invalid and leaves untranslated.
  echo "net.netfilter.nf_conntrack_tcp_be_liberal = $([ -n "$floating" ] && echo 1 || echo 0)"
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
primary=$(printf '%s\n' "$ipv4s" | awk 'NF { print; exit }')
floating=$floating
ENV
log "NAT on: $(printf '%s' "$cidrs" | tr '\n' ' ')-> $(egress_statement "$floating") out of $uplink ($mac); conntrack_max $max"
