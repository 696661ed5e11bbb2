#!/usr/bin/env bash
# The lab's dhclient-script for ISC dhclient (-sf): configures the interface from the lease and
# writes the resolver file the way Debian's and Amazon Linux's scripts do ("search", then one
# "nameserver" line per server). dhclient runs it with a cleared environment, so the host
# copies this file into the instance's root with ROOT= filled in (lab/host.ts).
set -euo pipefail
ROOT=${ROOT:?}
METRIC=${METRIC:-512}
: "${interface:?}" "${reason:?}"
case $reason in
BOUND | RENEW | REBIND | REBOOT)
  ip addr replace "${new_ip_address:?}/${new_subnet_mask:-255.255.255.0}" dev "$interface"
  if [ -n "${new_routers:-}" ] && [ -z "$(ip -4 route show default dev "$interface")" ]; then
    ip route append default via "${new_routers%% *}" dev "$interface" metric "$METRIC"
  fi
  mkdir -p "$ROOT/run/dhclient"
  {
    echo "# written by dhclient-script"
    if [ -n "${new_domain_search:-}" ]; then
      echo "search ${new_domain_search}"
    elif [ -n "${new_domain_name:-}" ]; then
      echo "search ${new_domain_name}"
    fi
    for ns in ${new_domain_name_servers:-}; do echo "nameserver $ns"; done
  } >"$ROOT/run/dhclient/resolv.conf.new"
  mv "$ROOT/run/dhclient/resolv.conf.new" "$ROOT/run/dhclient/resolv.conf"
  ;;
esac
