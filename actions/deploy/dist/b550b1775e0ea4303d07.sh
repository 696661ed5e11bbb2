# nat-handoff: a zone's NAT connection state from the old instance to the new (ADR 0141). Run
# by ReplaceInstances through SSM, one command per instance and phase:
#   new:  nat-handoff.sh receive ADDRESS PEER [final]   adopt ADDRESS, take one stream from PEER
#   old:  nat-handoff.sh send ADDRESS PEER              stream the entries translated to ADDRESS
#   new:  nat-handoff.sh adopt ADDRESS [final]          only adopt (a zone with no old instance)
# "final": first wait (bounded) until instance metadata lists ADDRESS on this instance. The
# channel is one TCP connection from the old instance's primary address to the new one's,
# accepted once, from that peer only, within NATFLEET_HANDOFF_SECONDS; nothing listens after.
# From the copy until the address has moved, the old instance relays to the new one the replies
# it has no entry for (ADR 0174); the final receive ends the relay on the new instance.
set -euo pipefail
# shellcheck source=natfleet-lib.sh
. "$(dirname "$0")/natfleet-lib.sh"

NATFLEET_HANDOFF_PORT=${NATFLEET_HANDOFF_PORT:-7473}
NATFLEET_HANDOFF_SECONDS=${NATFLEET_HANDOFF_SECONDS:-60}
NATFLEET_RELAY_SECONDS=${NATFLEET_RELAY_SECONDS:-900}
[[ $NATFLEET_RELAY_SECONDS =~ ^[1-9][0-9]{0,5}$ ]] || die "NATFLEET_RELAY_SECONDS must be a whole number of seconds, 1 to 999999"
here=$(cd "$(dirname "$0")" && pwd)
ipv4='^([0-9]{1,3}\.){3}[0-9]{1,3}$'

usage() { die "usage: nat-handoff.sh receive ADDRESS PEER [final] | send ADDRESS PEER | adopt ADDRESS [final]"; }

# Entries translated to ADDRESS ($1), one per line: PROTO STATE TIMEOUT STATUS then the
# original and reply tuples (src dst sport dport, twice). TCP that is closing or closed stays.
entries() {
  conntrack -L -o extended 2>/dev/null | awk -v addr="$1" '
    $3 != "tcp" && $3 != "udp" { next }
    {
      proto = $3; timeout = $5; state = (proto == "tcp") ? $6 : "-"
      n = 0; assured = 0; unreplied = 0
      for (i = 1; i <= NF; i++) {
        if ($i == "[ASSURED]") assured = 1
        if ($i == "[UNREPLIED]") unreplied = 1
        split($i, kv, "=")
        if (kv[1] == "src" || kv[1] == "dst" || kv[1] == "sport" || kv[1] == "dport") t[n++] = kv[2]
      }
      if (n != 8 || t[5] != addr) next
      if (state == "TIME_WAIT" || state == "CLOSE" || state == "LAST_ACK") next
      status = (assured ? "ASSURED" : "") (unreplied ? "" : (assured ? "," : "") "SEEN_REPLY")
      if (status == "") status = "-"
      print proto, state, timeout, status, t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7]
    }'
}

# One entry line into this instance's table, with the same translation. 0 inserted, 1 failed.
# The reply tuple is given untranslated and the translation as --src-nat ADDRESS:PORT: the
# kernel then marks the entry source-NATed and turns the replies back (given translated, the
# entry would carry the addresses but no translation, and every reply would stop here).
insert() {
  local proto state timeout status os od osp odp rs rd rsp rdp
  read -r proto state timeout status os od osp odp rs rd rsp rdp <<<"$1"
  [ "$rs" = "$od" ] && [ "$rsp" = "$odp" ] || return 1 # a destination NAT: not ours
  local args=(-I -p "$proto" -s "$os" -d "$od" --sport "$osp" --dport "$odp"
    -r "$od" -q "$os" --reply-port-src "$odp" --reply-port-dst "$osp" -t "$timeout"
    --src-nat "$rd:$rdp")
  [ "$state" = - ] || args+=(--state "$state")
  [ "$status" = - ] || args+=(-u "$status")
  conntrack "${args[@]}" >/dev/null 2>&1
}

# The NAT translates to ADDRESS from now on (the boot service, again, with the adopted address).
adopt() {
  # Already translating to it: the table stays as it is (reloading it would drop the NAT
  # bindings of the entries inserted so far).
  if [ "$(cat "$NATFLEET_RUN_DIR/floating" 2>/dev/null)" = "$1" ] &&
    nft list chain ip "$NATFLEET_TABLE" postrouting 2>/dev/null | grep -q "snat to $1 "; then
    return
  fi
  mkdir -p "$NATFLEET_RUN_DIR"
  printf '%s\n' "$1" >"$NATFLEET_RUN_DIR/floating"
  "$here/nat-boot.sh" || die "the boot service failed while adopting $1; fix: journalctl -u $NATFLEET_UNIT, then systemctl restart $NATFLEET_UNIT"
}

# Waits (bounded) until instance metadata lists ADDRESS on this instance's primary interface.
await_address() {
  local token mac i
  token=$(imds_token) || die "no IMDSv2 token from $NATFLEET_IMDS"
  mac=$(imds_get "$token" mac) || die "instance metadata has no mac"
  for ((i = 0; i < NATFLEET_HANDOFF_SECONDS * 5; i++)); do
    if imds_get "$token" "network/interfaces/macs/$mac/local-ipv4s" 2>/dev/null | grep -qx "$1"; then
      log "handoff: instance metadata lists $1 on $mac after $((i / 5)) s"
      return
    fi
    sleep 0.2
  done
  die "instance metadata does not list $1 on $mac after ${NATFLEET_HANDOFF_SECONDS}s: the address has not moved here; fix: aws ec2 describe-network-interfaces (is $1 on this instance's ENI?), then run ReplaceInstances again"
}

# The channel (python3: one bounded accept or connect, no daemon). receive BIND PEER PORT
# SECONDS FILE / send PEER PORT SECONDS FILE.
channel() {
  python3 - "$@" <<'PY'
import socket, sys, time
mode = sys.argv[1]
if mode == "receive":
    bind, peer, port, seconds, path = sys.argv[2:7]
else:
    peer, port, seconds, path = sys.argv[2:6]
deadline = time.monotonic() + float(seconds)
left = lambda: max(0.05, deadline - time.monotonic())
def fail(why):
    sys.stderr.write("natfleet: ERROR: handoff channel: %s\n" % why)
    sys.exit(1)
if mode == "receive":
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((bind, int(port)))
    s.listen(1)
    while True:
        if time.monotonic() >= deadline:
            fail("no connection from %s within %s s" % (peer, seconds))
        s.settimeout(left())
        try:
            c, (who, _) = s.accept()
        except socket.timeout:
            continue
        if who == peer:
            break
        c.close()  # only the peer; the firewall drops others before they get here
    s.close()
    data = b""
    while time.monotonic() < deadline:
        c.settimeout(left())
        try:
            chunk = c.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        data += chunk
    c.close()
    lines = data.decode().split("\n")
    if len(lines) < 2 or not lines[-2].startswith("END "):
        fail("the stream from %s ended without its END line (%d bytes)" % (peer, len(data)))
    body = lines[:-2]
    if int(lines[-2].split()[1]) != len(body):
        fail("the stream from %s announced %s entries, carried %d" % (peer, lines[-2].split()[1], len(body)))
    with open(path, "w") as f:
        f.write("".join(l + "\n" for l in body))
else:
    body = open(path).read()
    count = body.count("\n")
    while True:
        try:
            c = socket.create_connection((peer, int(port)), timeout=min(2, left()))
            break
        except OSError as e:
            if time.monotonic() >= deadline:
                fail("could not reach %s:%s within %s s: %s" % (peer, port, seconds, e))
            time.sleep(0.2)
    c.settimeout(left())
    c.sendall((body + "END %d\n" % count).encode())
    c.shutdown(socket.SHUT_WR)
    c.close()
PY
}

# Only the peer may reach the handoff port while it is open: a chain of natfleet's table that
# the receiver removes on the way out (and the next boot service run replaces).
open_port() {
  nft -f - <<NFT || die "could not open the handoff port $NATFLEET_HANDOFF_PORT to $1; fix: nft list table ip $NATFLEET_TABLE"
table ip $NATFLEET_TABLE {
  chain handoff {
    type filter hook input priority filter - 1; policy accept;
    tcp dport $NATFLEET_HANDOFF_PORT ip saddr != $1 counter drop comment "natfleet-handoff-peer-only"
  }
}
NFT
}
close_port() { nft delete chain ip "$NATFLEET_TABLE" handoff 2>/dev/null || true; }

# The relay (ADR 0174). Once the routes point at the new instance it translates new connections
# to ADDRESS, while the network may still deliver ADDRESS to the old one: their replies would
# meet an instance with no entry for them. The old instance sends each such packet (conntrack:
# invalid) on to PEER, the new instance's primary address, marked so that its forward filter
# lets it pass; the new instance turns the destination back to ADDRESS before conntrack, which
# then finds its own entry. Two stateless rewrites: no tunnel, nothing listens.
# The relay replaces any earlier one (a roll rolled back leaves its relay behind; appended to,
# it would go on sending to that roll's peer) and ends by itself after NATFLEET_RELAY_SECONDS:
# the address is in the set only that long, longer than a roll takes from the copy to the
# final delta, so no exit path of the workflow has to remove it.
relay() {
  nft -f - <<NFT || die "could not relay replies for $1 to $2; fix: nft list table ip $NATFLEET_TABLE"
table ip $NATFLEET_TABLE {
  set handoff_relaying {
    type ipv4_addr; flags timeout;
  }
  chain handoff_relay {
    type filter hook prerouting priority mangle; policy accept;
  }
}
flush chain ip $NATFLEET_TABLE handoff_relay
flush set ip $NATFLEET_TABLE handoff_relaying
add element ip $NATFLEET_TABLE handoff_relaying { $1 timeout ${NATFLEET_RELAY_SECONDS}s }
add rule ip $NATFLEET_TABLE handoff_relay ip daddr @handoff_relaying ct state invalid counter meta mark set $NATFLEET_RELAY_MARK ip daddr set $2 comment "natfleet-handoff-relay"
NFT
}

# On the new instance: packets to PRIMARY ($2) on UPLINK ($3) from outside the VPC, neither
# link-local (instance metadata) nor from the old instance PEER ($4) itself, are the old
# instance's relay; their destination was ADDRESS ($1). (With a floating address every
# connection to the internet leaves as ADDRESS, so nothing else comes from there to PRIMARY.)
relayed_open() {
  nft -f - <<NFT || die "could not take the relayed replies for $1; fix: nft list table ip $NATFLEET_TABLE"
table ip $NATFLEET_TABLE {
  chain handoff_relayed {
    type filter hook prerouting priority raw; policy accept;
  }
}
flush chain ip $NATFLEET_TABLE handoff_relayed
add rule ip $NATFLEET_TABLE handoff_relayed iifname "$3" ip daddr $2 ip saddr != @vpc ip saddr != { 169.254.0.0/16, $4 } counter ip daddr set $1 comment "natfleet-handoff-relayed"
NFT
}
relayed_close() { nft delete chain ip "$NATFLEET_TABLE" handoff_relayed 2>/dev/null || true; }

cmd=${1:-}
address=${2:-}
[[ $address =~ $ipv4 ]] || usage
command -v conntrack >/dev/null || die "conntrack is not installed (package conntrack-tools); fix: dnf install -y conntrack-tools"
case $cmd in
adopt)
  [ "${3:-}" = final ] && await_address "$address"
  adopt "$address"
  [ "${3:-}" = final ] && relayed_close
  log "handoff: translating to $address"
  ;;
receive)
  peer=${3:-}
  [[ $peer =~ $ipv4 ]] || usage
  [ "${4:-}" = final ] && await_address "$address"
  adopt "$address"
  # shellcheck disable=SC1091 # written by the boot service just now
  . "$NATFLEET_RUN_DIR/boot.env"
  [ -n "${primary:-}" ] || die "boot.env has no primary address; fix: systemctl restart $NATFLEET_UNIT"
  [ -n "${uplink:-}" ] || die "boot.env has no uplink; fix: systemctl restart $NATFLEET_UNIT"
  [ "${4:-}" = final ] || relayed_open "$address" "$primary" "$uplink" "$peer"
  started=$(date +%s%N)
  trap close_port EXIT
  open_port "$peer"
  file="$NATFLEET_RUN_DIR/handoff.in"
  channel receive "$primary" "$peer" "$NATFLEET_HANDOFF_PORT" "$NATFLEET_HANDOFF_SECONDS" "$file" ||
    die "no complete handoff stream from $peer; fix: run nat-handoff.sh send on $peer (SSM), check that it reaches $primary:$NATFLEET_HANDOFF_PORT"
  close_port
  seen="$NATFLEET_RUN_DIR/handoff.seen"
  touch "$seen"
  inserted=0 present=0 failed=0
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    key=$(awk '{ print $1, $5, $6, $7, $8 }' <<<"$line")
    if grep -qxF "$key" "$seen"; then
      present=$((present + 1))
    elif insert "$line"; then
      inserted=$((inserted + 1))
      printf '%s\n' "$key" >>"$seen"
    elif conntrack -G -p "$(awk '{ print $1 }' <<<"$line")" -s "$(awk '{ print $5 }' <<<"$line")" \
      -d "$(awk '{ print $6 }' <<<"$line")" --sport "$(awk '{ print $7 }' <<<"$line")" \
      --dport "$(awk '{ print $8 }' <<<"$line")" >/dev/null 2>&1; then
      present=$((present + 1)) # this instance made the entry itself meanwhile
      printf '%s\n' "$key" >>"$seen"
    else
      failed=$((failed + 1))
    fi
  done <"$file"
  ms=$((($(date +%s%N) - started) / 1000000))
  log "handoff: $((inserted + present + failed)) entries from $peer: $inserted inserted, $present already here, $failed failed (${ms} ms)"
  [ "$failed" = 0 ] || die "$failed of the entries from $peer could not be inserted; fix: conntrack -S (insert_failed, drop), then run ReplaceInstances again"
  if [ "${4:-}" = final ]; then
    relayed_close
    log "handoff: relay from $peer ended"
  fi
  ;;
send)
  peer=${3:-}
  [[ $peer =~ $ipv4 ]] || usage
  file="$NATFLEET_RUN_DIR/handoff.out"
  mkdir -p "$NATFLEET_RUN_DIR"
  entries "$address" >"$file"
  channel send "$peer" "$NATFLEET_HANDOFF_PORT" "$NATFLEET_HANDOFF_SECONDS" "$file" ||
    die "could not hand the state to $peer; fix: is nat-handoff.sh receive running there (SSM), and does the security group let $peer reach port $NATFLEET_HANDOFF_PORT?"
  log "handoff: sent $(wc -l <"$file") entries translated to $address to $peer"
  # The relay knows a reply it has no entry for by conntrack's invalid verdict, which a
  # mid-stream packet gets only without pick-up: this retiring instance picks none up now.
  sysctl_set net.netfilter.nf_conntrack_tcp_loose 0
  sed -i 's/^net.netfilter.nf_conntrack_tcp_loose = .*/net.netfilter.nf_conntrack_tcp_loose = 0/' \
    "$NATFLEET_SYSCTL_DIR/90-natfleet-conntrack.conf"
  relay "$address" "$peer"
  log "handoff: replies to $address that no entry here translates go on to $peer"
  ;;
*) usage ;;
esac
