# test-nat: checks the running NAT instance; one precise line per failed check, exit 1 if any.
set -euo pipefail
# shellcheck source=natfleet-lib.sh
. "$(dirname "$0")/natfleet-lib.sh"

# How resolv.conf is owned and who owns it (AL2023: systemd-resolved fed by systemd-networkd).
NATFLEET_RESOLV_CONF=${NATFLEET_RESOLV_CONF:-$NATFLEET_ROOT/etc/resolv.conf}
NATFLEET_RESOLV_OWNED=${NATFLEET_RESOLV_OWNED:-/run/systemd/resolve/stub-resolv.conf /run/systemd/resolve/resolv.conf}
# "PID-SOURCE=CONFIG[,CONFIG...]" per resolver client; PID-SOURCE is unit:NAME or pidfile:PATH.
NATFLEET_RESOLVERS=${NATFLEET_RESOLVERS:-unit:systemd-networkd=/etc/systemd/networkd.conf,/etc/systemd/networkd.conf.d,/etc/systemd/network unit:systemd-resolved=/etc/systemd/resolved.conf,/etc/systemd/resolved.conf.d}
# Processes (as ss names them) allowed to listen on a non-loopback address.
NATFLEET_LISTEN_ALLOWED=${NATFLEET_LISTEN_ALLOWED:-amazon-ssm-agen ssm-agent-worke systemd-network dhclient}
# What repairs most of what the boot service sets up.
restart="systemctl restart $NATFLEET_UNIT"
# --before-traffic: no route points here yet (the path check before a switch, auto-fallback's
# health command), so an unused masquerade rule is expected, not a fault.
before_traffic=0
if [ "${1:-}" = "--before-traffic" ]; then before_traffic=1; fi

failed=0
fail() {
  printf 'FAIL: %s\n' "$*"
  failed=$((failed + 1))
}
ok() { printf 'ok: %s\n' "$*"; }

# jq: from `nft -j list set` and $vpc (CIDR lines), "extra CIDR" / "missing CIDR" lines.
set_diff_jq() {
  cat <<'JQ'
def n: split(".") | map(tonumber) | .[0] * 16777216 + .[1] * 65536 + .[2] * 256 + .[3];
def ip: [(. / 16777216 | floor), (. / 65536 | floor) % 256, (. / 256 | floor) % 256, . % 256] | map(tostring) | join(".");
def cidr: split("/") as $p | ($p[0] | n) as $s | [$s, $s + pow(2; 32 - ($p[1] // "32" | tonumber)) - 1];
def iv: if type == "string" then cidr elif .prefix then "\(.prefix.addr)/\(.prefix.len)" | cidr
  elif .range then [(.range[0] | n), (.range[1] | n)] elif .elem then .elem.val | iv else error("element \(.)") end;
def merge: sort | reduce .[] as $i ([]; if length > 0 and $i[0] <= .[-1][1] + 1 then .[-1][1] = ([.[-1][1], $i[1]] | max) else . + [$i] end);
def minus($b): reduce $b[] as $x ([.]; map(if $x[1] < .[0] or $x[0] > .[1] then . else
  (if .[0] < $x[0] then [.[0], $x[0] - 1] else empty end), (if .[1] > $x[1] then [$x[1] + 1, .[1]] else empty end) end));
def blocks: if .[0] > .[1] then empty else .[0] as $s | .[1] as $e |
  (first(range(0; 33) | select(($s % pow(2; 32 - .)) == 0 and $s + pow(2; 32 - .) - 1 <= $e)) as $l |
  "\($s | ip)/\($l)", ([$s + pow(2; 32 - $l), $e] | blocks)) end;
([.nftables[] | select(.set) | .set.elem // [] | .[] | iv] | merge) as $have |
([$vpc | splits("\n") | select(length > 0) | cidr] | merge) as $want |
($have[] | minus($want)[] | blocks | "extra \(.)"), ($want[] | minus($have)[] | blocks | "missing \(.)")
JQ
}

# --- the boot service ran in this boot
if [ -f "$NATFLEET_RUN_DIR/boot.env" ]; then
  ok "the boot service ran in this boot"
else
  fail "$NATFLEET_RUN_DIR/boot.env is missing: $NATFLEET_UNIT has not run since this boot; fix: $restart, then journalctl -u $NATFLEET_UNIT"
fi
if [ "$NATFLEET_BOOT_HOOK" = systemd ]; then
  state=$(systemctl is-enabled "$NATFLEET_UNIT" 2>/dev/null || true)
  [ "$state" = enabled ] || fail "$NATFLEET_UNIT is '$state', not enabled: NAT would not come back after a reboot; fix: systemctl enable $NATFLEET_UNIT"
  state=$(systemctl is-active "$NATFLEET_UNIT" 2>/dev/null || true)
  [ "$state" = active ] || fail "$NATFLEET_UNIT is '$state'; fix: journalctl -u $NATFLEET_UNIT says why, then $restart"
fi

# --- instance metadata: IMDSv2 only
v1=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$NATFLEET_IMDS/latest/meta-data/" || true)
if [ "$v1" = 200 ]; then
  fail "instance metadata answered a request without a token (IMDSv1); fix: aws ec2 modify-instance-metadata-options --http-tokens required --instance-id <this instance>"
else
  ok "IMDSv1 refused (HTTP $v1)"
fi
token=$(imds_token) || {
  echo "FAIL: no IMDSv2 token from $NATFLEET_IMDS: cannot check the rest; fix: enable the instance metadata service (hop limit 1)"
  exit 1
}
mac=$(imds_get "$token" mac) || {
  echo "FAIL: instance metadata has no mac: cannot check the rest; fix: run test-nat again"
  exit 1
}
cidrs=$(imds_get "$token" "network/interfaces/macs/$mac/vpc-ipv4-cidr-blocks" | sort) || {
  echo "FAIL: instance metadata has no vpc-ipv4-cidr-blocks for $mac: cannot check the rest; fix: run test-nat again"
  exit 1
}

# --- forwarding, redirects, reverse-path filter
forward=$(sysctl_get net.ipv4.ip_forward)
if [ "$forward" = 1 ]; then ok "forwarding on"; else
  fail "net.ipv4.ip_forward is $forward, not 1: nothing is forwarded; fix: $restart"
fi
grep -qs '^net.ipv4.ip_forward = 1$' "$NATFLEET_SYSCTL_DIR/90-natfleet-nat.conf" ||
  fail "net.ipv4.ip_forward = 1 is not persisted in $NATFLEET_SYSCTL_DIR/90-natfleet-nat.conf; fix: $restart"
all_send=$(sysctl_get net.ipv4.conf.all.send_redirects)
all_rp=$(sysctl_get net.ipv4.conf.all.rp_filter)
[ "$all_send" = 0 ] || fail "net.ipv4.conf.all.send_redirects is $all_send: ICMP redirects are sent; fix: $restart"
[ "$(sysctl_get net.ipv4.conf.default.send_redirects)" = 0 ] ||
  fail "net.ipv4.conf.default.send_redirects is not 0: a new interface would send ICMP redirects; fix: $restart"
for dev in $(interfaces); do
  send=$(sysctl_get "net.ipv4.conf.$dev.send_redirects")
  [ "$send" = 0 ] || fail "net.ipv4.conf.$dev.send_redirects is $send: $dev sends ICMP redirects; fix: $restart"
  rp=$(sysctl_get "net.ipv4.conf.$dev.rp_filter")
  ((rp > all_rp)) || rp=$all_rp
  [ "$rp" != 1 ] || fail "rp_filter on $dev is strict (1): replies on the asymmetric NAT path are dropped; fix: $restart (sets 2)"
done

# --- every natfleet sysctl file is in force (survives the reboot step)
for f in "$NATFLEET_SYSCTL_DIR"/90-natfleet-*.conf; do
  [ -e "$f" ] || {
    fail "no natfleet sysctl file in $NATFLEET_SYSCTL_DIR; fix: $restart"
    break
  }
  while read -r key value; do
    if [ "$key" = net.netfilter.nf_conntrack_max ] && [ "$NATFLEET_CONNTRACK_APPLY" != 1 ]; then
      continue
    fi
    path=/proc/sys/${key//.//}
    dev=""
    [[ $key =~ ^net\.ipv[46]\.[a-z]+\.([^.]+)\. ]] && dev=${BASH_REMATCH[1]}
    if [ ! -e "$path" ] && [ -n "$dev" ] && [ "$dev" != all ] && [ "$dev" != default ] && [ ! -e "/sys/class/net/$dev" ]; then
      continue # an interface detached since boot: judge the ones that exist
    elif [ ! -e "$path" ]; then
      fail "$key (from $f) does not exist here; fix: remove it from $f"
    elif [ "$(cat "$path")" != "$value" ]; then
      fail "$key is $(cat "$path"), but $f says $value; fix: $restart"
    fi
  done < <(sysctl_file_entries "$f")
done

# --- the default route and the masquerade are on the primary interface (known by its MAC)
primary=$(iface_of_mac "$mac")
read -r low uplink _ < <(default_routes) || true
ties=$(default_routes | awk -v m="${low:-}" '$1 == m { print $2 }' | sort | paste -sd, | sed 's/,/, /g')
if [ -z "${uplink:-}" ]; then
  fail "no default route; fix: check the DHCP client of ${primary:-the primary interface} (networkctl status), then $restart"
elif [ -z "$primary" ]; then
  fail "no interface has the primary MAC $mac (per instance metadata); fix: ip link, then $restart"
elif [ "$ties" != "$uplink" ]; then
  fail "default routes via $ties share the lowest metric $low: the kernel may pick either, only $primary ($mac per instance metadata) is masqueraded; fix: $restart (moves the others below $primary)"
elif [ "$uplink" != "$primary" ]; then
  fail "the default route leaves via $uplink ($(mac_of "$uplink")), not the primary interface $primary ($mac per instance metadata): traffic leaves untranslated; fix: $restart (moves $uplink's route below $primary's)"
else
  ok "default route via the primary interface $uplink"
fi

# --- natfleet's table: the masquerade rule, on the primary interface, counting
rule=$(nft -a list chain ip "$NATFLEET_TABLE" postrouting 2>/dev/null | grep 'natfleet-masquerade' || true)
if [ -z "$rule" ]; then
  fail "nftables has no natfleet masquerade rule (table ip $NATFLEET_TABLE, chain postrouting): private traffic leaves untranslated; fix: $restart"
else
  oif=$(sed -n 's/.*oifname "\([^"]*\)".*/\1/p' <<<"$rule")
  packets=$(sed -n 's/.*counter packets \([0-9]*\).*/\1/p' <<<"$rule")
  [ "$oif" = "$primary" ] || fail "the masquerade rule is on $oif, not the primary interface ${primary:-?}; fix: $restart"
  if [ "${packets:-0}" -gt 0 ]; then ok "masquerade on $oif has counted $packets packets"
  elif [ "$before_traffic" = 1 ]; then ok "masquerade on $oif has counted no packet yet (before traffic: not judged)"
  else
    fail "the masquerade rule has counted no packet: nothing has been translated since it was loaded; fix: check the private route tables point at this instance, then run test-nat again"
  fi
  # The set and the VPC compared as addresses (nft merges adjacent CIDRs): what is extra, what
  # is missing, each as CIDRs.
  while read -r kind cidr; do
    case $kind in
    extra) fail "the masquerade covers $cidr, which is not in the VPC ($(echo "$cidrs" | tr '\n' ' ')per instance metadata); fix: $restart" ;;
    missing) fail "the masquerade does not cover $cidr of the VPC: its traffic leaves untranslated; fix: $restart" ;;
    *) fail "cannot read the set vpc of table ip $NATFLEET_TABLE ($kind $cidr); fix: $restart" ;;
    esac
  done < <(nft -j list set ip "$NATFLEET_TABLE" vpc 2>&1 | jq -r --arg vpc "$cidrs" "$(set_diff_jq)" 2>&1 || echo "error nft-or-jq")
fi
[ -s "$NATFLEET_NFT_FILE" ] || fail "the ruleset file $NATFLEET_NFT_FILE is missing; fix: $restart"
foreign=$(foreign_nft_tables | tr '\n' ' ')
[ -z "$foreign" ] || fail "nftables holds tables natfleet did not make: ${foreign% } (another firewall tool); fix: remove them with that tool (nft delete table ${foreign%% *} ...), then $restart"

# --- nothing in the legacy backends (iptables-legacy, ip6tables-legacy)
left=$(legacy_leftovers | tr '\n' ';')
if [ -n "$left" ]; then
  fail "legacy iptables holds rules beside nftables, which mix with the NAT's: ${left%;}; fix: $restart (cleans them with iptables-legacy / ip6tables-legacy)"
else
  ok "iptables-legacy and ip6tables-legacy hold nothing"
fi

# --- conntrack: sized from memory, timeouts as written
max=$(conntrack_max)
grep -qs "^net.netfilter.nf_conntrack_max = $max\$" "$NATFLEET_SYSCTL_DIR/90-natfleet-conntrack.conf" ||
  fail "nf_conntrack_max $max (from memory) is not in $NATFLEET_SYSCTL_DIR/90-natfleet-conntrack.conf; fix: $restart"
grep -qs "hashsize=$max\$" "$NATFLEET_MODPROBE_DIR/natfleet-conntrack.conf" ||
  fail "conntrack hashsize $max is not in $NATFLEET_MODPROBE_DIR/natfleet-conntrack.conf; fix: $restart"
if [ "$NATFLEET_CONNTRACK_APPLY" = 1 ]; then
  live=$(cat /sys/module/nf_conntrack/parameters/hashsize)
  [ "$live" = "$max" ] || fail "conntrack hashsize is $live, expected $max; fix: $restart"
fi

# --- the resolver: what resolv.conf says is what its DHCP client writes at the next renewal,
# and no resolver client runs a configuration older than its files.
# resolv.conf's nameservers, then its search list (the last search/domain line counts).
resolv_of() {
  awk '$1 == "nameserver" { ns = ns sep $2; sep = " " } $1 == "search" || $1 == "domain" { $1 = ""; s = $0 }
    END { gsub(/\.( |$)/, " ", s); gsub(/^ +| +$/, "", s); print ns; print s }' "$1"
}
# A dhclient lease file's last lease, as three lines: interface, nameservers, search list.
lease_of() {
  awk '/^lease / { i = d = s = n = "" } $1 == "interface" { i = $2 }
    /option domain-name-servers / { d = $3 } /option domain-search / { $1 = $2 = ""; s = $0 }
    /option domain-name "/ { n = $3 } /^}/ { I = i; D = d; S = s == "" ? n : s }
    END { gsub(/[";]/, "", I); gsub(/[;]/, "", D); gsub(/,/, " ", D); gsub(/[",;]/, "", S)
      gsub(/\.( |$)/, " ", S); gsub(/^ +| +$/, "", S); print I; print D; print S }' "$1"
}
# A dhclient.conf's "supersede|prepend OPTION" value, as a space-separated list.
conf_of() {
  awk -v w="$2" -v o="$3" '$1 == w && $2 == o { $1 = $2 = ""; v = $0 }
    END { gsub(/[",;]/, " ", v); gsub(/\.( |$)/, " ", v); gsub(/  +/, " ", v); gsub(/^ +| +$/, "", v); print v }' "$1"
}
netns=$(readlink /proc/self/ns/net)
dhclients=""
for p in /proc/[0-9]*; do
  comm=""
  read -r comm 2>/dev/null <"$p/comm" || true
  if [ "$comm" != dhclient ] || [ "$(readlink "$p/ns/net" 2>/dev/null)" != "$netns" ]; then continue; fi
  pid=${p#/proc/}
  mapfile -d '' argv <"$p/cmdline" || continue
  cf=$NATFLEET_ROOT/etc/dhcp/dhclient.conf lf=""
  for ((i = 0; i < ${#argv[@]} - 1; i++)); do
    case ${argv[i]} in -cf) cf=${argv[i + 1]} ;; -lf) lf=${argv[i + 1]} ;; esac
  done
  for f in "$lf" /var/lib/dhclient/dhclient.leases /var/lib/dhcp/dhclient.leases; do [ -s "$f" ] && lf=$f && break; done
  dhclients="$dhclients pid:$pid=$cf"
  [ -s "$lf" ] || continue
  { read -r dev && read -r lease_ns && read -r lease_s; } < <(lease_of "$lf")
  { read -r ns && read -r search; } < <(resolv_of "$NATFLEET_RESOLV_CONF")
  restart_dhc="dhclient -x $dev; dhclient $dev"
  if [ "$ns" != "$lease_ns" ] || [ "$search" != "$lease_s" ]; then
    fail "$NATFLEET_RESOLV_CONF lists nameservers ${ns:-none} (search ${search:-none}), but dhclient (pid $pid) on $dev writes $lease_ns (search ${lease_s:-none}) at its next renewal: an edit that the renewal reverts; fix: put the servers in $cf (supersede domain-name-servers ...;), then $restart_dhc"
  else
    ok "resolv.conf is what dhclient on $dev writes ($ns)"
  fi
  for opt in domain-name-servers domain-search; do
    have=$lease_ns
    [ "$opt" = domain-name-servers ] || have=$lease_s
    want=$(conf_of "$cf" supersede "$opt")
    pre=$(conf_of "$cf" prepend "$opt")
    if { [ -n "$want" ] && [ "$want" != "$have" ]; } || { [ -n "$pre" ] && [ "${have#"$pre"}" = "$have" ]; }; then
      fail "dhclient (pid $pid) on $dev has not loaded $cf: it sets $opt ${want:-$pre}, but the lease it renews has $have, which its next renewal writes back; fix: $restart_dhc"
    fi
  done
done
if [ -z "$dhclients" ]; then
  owned=""
  target=$(readlink -f "$NATFLEET_RESOLV_CONF" || true)
  for f in $NATFLEET_RESOLV_OWNED; do [ "$target" = "$(readlink -f "$NATFLEET_ROOT$f" || true)" ] && owned=$f; done
  if [ ! -L "$NATFLEET_RESOLV_CONF" ] || [ -z "$owned" ]; then
    fail "$NATFLEET_RESOLV_CONF is not the resolver's file (a link to one of: $NATFLEET_RESOLV_OWNED) but ${target:-nothing}: a hand-written file that the next lease renewal replaces; fix: put the servers in the network configuration (DNS= in /etc/systemd/network), then ln -sf ${NATFLEET_RESOLV_OWNED%% *} /etc/resolv.conf"
  else
    ok "resolv.conf is the resolver's own ($owned)"
  fi
fi
# Times in centiseconds, in bash arithmetic (some awks clamp large integers).
now=$(($(date +%s%N) / 10000000))
read -r up _ </proc/uptime
up=${up/./}
tick=$(getconf CLK_TCK)
for entry in $NATFLEET_RESOLVERS $dhclients; do
  source=${entry%%=*}
  pid=""
  case $source in
  unit:*) pid=$(systemctl show -p MainPID --value "${source#unit:}" 2>/dev/null || true) ;;
  pidfile:*) pid=$(cat "${source#pidfile:}" 2>/dev/null || true) ;;
  pid:*) pid=${source#pid:} ;;
  esac
  if [ -z "$pid" ] || [ "$pid" = 0 ] || [ ! -d "/proc/$pid" ]; then
    ok "${source#*:} is not running"
    continue
  fi
  # Process start from its start tick and the uptime.
  stat=$(<"/proc/$pid/stat")
  read -ra fields <<<"${stat##*) }"
  started=$((now - (10#$up - fields[19] * 100 / tick)))
  IFS=, read -ra configs <<<"${entry#*=}"
  newest=$(find "${configs[@]}" -type f -printf '%T@ %p\n' 2>/dev/null | sort -n | tail -1 || true)
  [ -n "$newest" ] || continue
  secs=${newest%%.*}
  frac=${newest#*.}
  changed=$((secs * 100 + 10#${frac:0:2}))
  # One second of slack for the start-time grain.
  if ((changed > started + 100)); then
    case $source in
    unit:*) fix="systemctl restart ${source#unit:}" ;;
    pid:*) fix="dhclient -x, then dhclient with its interfaces" ;;
    *) fix="kill $pid and start it again" ;;
    esac
    fail "${source#*:} (pid $pid) started before ${newest#* } changed: it runs the old configuration and its next lease renewal writes the old DNS servers back; fix: $fix"
  fi
done

# --- nothing listens on the network but the SSM agent
while read -r addr proc; do
  case $addr in 127.* | \[::1\]:* | \[::ffff:127.*) continue ;; esac
  name=$(sed -n 's/.*(("\([^"]*\)".*/\1/p' <<<"$proc")
  case " $NATFLEET_LISTEN_ALLOWED " in *" $name "*) continue ;; esac
  fail "${name:-an unknown process} listens on $addr: only the SSM agent and the DHCP client may; fix: systemctl disable --now its unit (ss -lntup shows its pid)"
done < <(ss -Hlntup | awk '{ print $5, $7 }')
if [ "$NATFLEET_BOOT_HOOK" = systemd ]; then
  state=$(systemctl is-enabled sshd.service 2>/dev/null || true)
  case $state in enabled | static) fail "sshd.service is $state: SSH must be off; fix: systemctl mask --now sshd.service sshd.socket" ;; esac
fi

if ((failed > 0)); then
  echo "test-nat: $failed check(s) failed"
  exit 1
fi
echo "test-nat: all checks passed"
