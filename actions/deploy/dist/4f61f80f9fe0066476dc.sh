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
NATFLEET_LISTEN_ALLOWED=${NATFLEET_LISTEN_ALLOWED:-amazon-ssm-agen ssm-agent-worke systemd-network}

failed=0
fail() {
  printf 'FAIL: %s\n' "$*"
  failed=$((failed + 1))
}
ok() { printf 'ok: %s\n' "$*"; }

# --- the boot service ran in this boot
if [ -f "$NATFLEET_RUN_DIR/boot.env" ]; then
  ok "the boot service ran in this boot"
else
  fail "$NATFLEET_RUN_DIR/boot.env is missing: $NATFLEET_UNIT has not run since this boot"
fi
if [ "$NATFLEET_BOOT_HOOK" = systemd ]; then
  state=$(systemctl is-enabled "$NATFLEET_UNIT" 2>/dev/null || true)
  [ "$state" = enabled ] || fail "$NATFLEET_UNIT is '$state', not enabled: NAT would not come back after a reboot"
  state=$(systemctl is-active "$NATFLEET_UNIT" 2>/dev/null || true)
  [ "$state" = active ] || fail "$NATFLEET_UNIT is '$state' (see journalctl -u $NATFLEET_UNIT)"
fi

# --- instance metadata: IMDSv2 only
v1=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$NATFLEET_IMDS/latest/meta-data/" || true)
if [ "$v1" = 200 ]; then
  fail "instance metadata answered a request without a token (IMDSv1): HttpTokens must be required"
else
  ok "IMDSv1 refused (HTTP $v1)"
fi
token=$(imds_token) || {
  echo "FAIL: no IMDSv2 token from $NATFLEET_IMDS: cannot check the rest"
  exit 1
}
mac=$(imds_get "$token" mac) || {
  echo "FAIL: instance metadata has no mac: cannot check the rest"
  exit 1
}
cidrs=$(imds_get "$token" "network/interfaces/macs/$mac/vpc-ipv4-cidr-blocks" | sort) || {
  echo "FAIL: instance metadata has no vpc-ipv4-cidr-blocks for $mac: cannot check the rest"
  exit 1
}

# --- forwarding, redirects, reverse-path filter
forward=$(sysctl_get net.ipv4.ip_forward)
if [ "$forward" = 1 ]; then ok "forwarding on"; else
  fail "net.ipv4.ip_forward is $forward, not 1: nothing is forwarded"
fi
grep -qs '^net.ipv4.ip_forward = 1$' "$NATFLEET_SYSCTL_DIR/90-natfleet-nat.conf" ||
  fail "net.ipv4.ip_forward = 1 is not persisted in $NATFLEET_SYSCTL_DIR/90-natfleet-nat.conf"
all_send=$(sysctl_get net.ipv4.conf.all.send_redirects)
all_rp=$(sysctl_get net.ipv4.conf.all.rp_filter)
[ "$all_send" = 0 ] || fail "net.ipv4.conf.all.send_redirects is $all_send: ICMP redirects are sent"
[ "$(sysctl_get net.ipv4.conf.default.send_redirects)" = 0 ] ||
  fail "net.ipv4.conf.default.send_redirects is not 0: a new interface would send ICMP redirects"
for dev in $(interfaces); do
  send=$(sysctl_get "net.ipv4.conf.$dev.send_redirects")
  [ "$send" = 0 ] || fail "net.ipv4.conf.$dev.send_redirects is $send: $dev sends ICMP redirects"
  rp=$(sysctl_get "net.ipv4.conf.$dev.rp_filter")
  ((rp > all_rp)) || rp=$all_rp
  [ "$rp" != 1 ] || fail "rp_filter on $dev is strict (1): replies on the asymmetric NAT path are dropped; use 2"
done

# --- every natfleet sysctl file is in force (survives the reboot step)
for f in "$NATFLEET_SYSCTL_DIR"/90-natfleet-*.conf; do
  [ -e "$f" ] || {
    fail "no natfleet sysctl file in $NATFLEET_SYSCTL_DIR"
    break
  }
  while read -r key value; do
    if [ "$key" = net.netfilter.nf_conntrack_max ] && [ "$NATFLEET_CONNTRACK_APPLY" != 1 ]; then
      continue
    fi
    path=$(sysctl_path "$key")
    if [ ! -e "$path" ]; then
      fail "$key (from $f) does not exist here"
    elif [ "$(cat "$path")" != "$value" ]; then
      fail "$key is $(cat "$path"), but $f says $value"
    fi
  done < <(sysctl_file_entries "$f")
done

# --- seed 002: the default route and the masquerade are on the primary interface
route=$(default_route)
uplink=${route%% *}
primary=""
for dev in $(interfaces); do [ "$(mac_of "$dev")" = "$mac" ] && primary=$dev; done
if [ -z "$route" ]; then
  fail "no default route"
elif [ "$uplink" != "$primary" ]; then
  fail "the default route leaves via $uplink ($(mac_of "$uplink")), not the primary interface ${primary:-?} ($mac per instance metadata): a second interface took the default route"
else
  ok "default route via the primary interface $uplink"
fi

# --- natfleet's table: the masquerade rule, on the primary interface, counting
rule=$(nft -a list chain ip "$NATFLEET_TABLE" postrouting 2>/dev/null | grep 'natfleet-masquerade' || true)
if [ -z "$rule" ]; then
  fail "nftables has no natfleet masquerade rule (table ip $NATFLEET_TABLE, chain postrouting): private traffic leaves untranslated"
else
  oif=$(sed -n 's/.*oifname "\([^"]*\)".*/\1/p' <<<"$rule")
  packets=$(sed -n 's/.*counter packets \([0-9]*\).*/\1/p' <<<"$rule")
  [ "$oif" = "$primary" ] || fail "the masquerade rule is on $oif, not the primary interface ${primary:-?}"
  if [ "${packets:-0}" -gt 0 ]; then ok "masquerade on $oif has counted $packets packets"; else
    fail "the masquerade rule has counted no packet: nothing has been translated since it was loaded"
  fi
  loaded=$(nft list set ip "$NATFLEET_TABLE" vpc | tr -d '{},' | awk '/elements/ { for (i = 3; i <= NF; i++) print $i }' | sort)
  [ "$loaded" = "$cidrs" ] ||
    fail "the masquerade covers $(echo "$loaded" | tr '\n' ' ')but the VPC's CIDRs are $(echo "$cidrs" | tr '\n' ' ')"
fi
[ -s "$NATFLEET_NFT_FILE" ] || fail "the ruleset file $NATFLEET_NFT_FILE is missing"
foreign=$(foreign_nft_tables | tr '\n' ' ')
[ -z "$foreign" ] || fail "nftables holds tables natfleet did not make: ${foreign% } (a second firewall tool?)"

# --- seed 001: nothing in the other backend
left=$(legacy_leftovers | tr '\n' ';')
if [ -n "$left" ]; then
  fail "iptables-legacy holds rules or chains (seed 001): ${left%;}; flush then delete them with iptables-legacy"
else
  ok "iptables-legacy holds nothing"
fi

# --- conntrack: sized from memory, timeouts as written
max=$(conntrack_max)
grep -qs "^net.netfilter.nf_conntrack_max = $max\$" "$NATFLEET_SYSCTL_DIR/90-natfleet-conntrack.conf" ||
  fail "nf_conntrack_max $max (from memory) is not in $NATFLEET_SYSCTL_DIR/90-natfleet-conntrack.conf"
grep -qs "hashsize=$max\$" "$NATFLEET_MODPROBE_DIR/natfleet-conntrack.conf" ||
  fail "conntrack hashsize $max is not in $NATFLEET_MODPROBE_DIR/natfleet-conntrack.conf"
if [ "$NATFLEET_CONNTRACK_APPLY" = 1 ]; then
  live=$(cat /sys/module/nf_conntrack/parameters/hashsize)
  [ "$live" = "$max" ] || fail "conntrack hashsize is $live, expected $max"
fi

# --- seed 000: resolv.conf is the resolver's own, and no resolver runs an outdated config
owned=""
target=$(readlink -f "$NATFLEET_RESOLV_CONF" || true)
for f in $NATFLEET_RESOLV_OWNED; do [ "$target" = "$(readlink -f "$NATFLEET_ROOT$f" || true)" ] && owned=$f; done
if [ ! -L "$NATFLEET_RESOLV_CONF" ] || [ -z "$owned" ]; then
  fail "$NATFLEET_RESOLV_CONF is not the resolver's file (a link to one of: $NATFLEET_RESOLV_OWNED) but ${target:-nothing}: a hand-written override that the next lease renewal swaps back"
else
  ok "resolv.conf is the resolver's own ($owned)"
fi
# Times in centiseconds, in bash arithmetic (some awks clamp large integers).
now=$(($(date +%s%N) / 10000000))
read -r up _ </proc/uptime
up=${up/./}
tick=$(getconf CLK_TCK)
for entry in $NATFLEET_RESOLVERS; do
  source=${entry%%=*}
  pid=""
  case $source in
  unit:*) pid=$(systemctl show -p MainPID --value "${source#unit:}" 2>/dev/null || true) ;;
  pidfile:*) pid=$(cat "${source#pidfile:}" 2>/dev/null || true) ;;
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
    fail "${source#*:} (pid $pid) started before ${newest#* } changed: it runs the old configuration and its next lease renewal writes the old DNS servers back; restart it"
  fi
done

# --- nothing listens on the network but the SSM agent
while read -r addr proc; do
  case $addr in 127.* | \[::1\]:* | \[::ffff:127.*) continue ;; esac
  name=$(sed -n 's/.*(("\([^"]*\)".*/\1/p' <<<"$proc")
  case " $NATFLEET_LISTEN_ALLOWED " in *" $name "*) continue ;; esac
  fail "${name:-an unknown process} listens on $addr: only the SSM agent may"
done < <(ss -Hlntup | awk '{ print $5, $7 }')
if [ "$NATFLEET_BOOT_HOOK" = systemd ]; then
  state=$(systemctl is-enabled sshd.service 2>/dev/null || true)
  case $state in enabled | static) fail "sshd.service is $state: SSH must be off" ;; esac
fi

if ((failed > 0)); then
  echo "test-nat: $failed check(s) failed"
  exit 1
fi
echo "test-nat: all checks passed"
