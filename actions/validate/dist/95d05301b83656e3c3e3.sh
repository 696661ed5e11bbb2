# enable-nat (build phase): installs the boot service that makes the instance a NAT at every
# boot and, under systemd, starts it once so the build instance is a NAT too. With
# NATFLEET_BOOT_HOOK=none it only installs (the lab starts the unit's ExecStart itself).
set -euo pipefail
here=$(dirname "$0")
# shellcheck source=natfleet-lib.sh
. "$here/natfleet-lib.sh"

command -v nft >/dev/null || die "nft is not installed (package nftables)"
command -v conntrack >/dev/null || die "conntrack is not installed (package conntrack-tools; the connection-state handoff, ADR 0141)"
mkdir -p "$NATFLEET_LIBEXEC" "$NATFLEET_UNIT_DIR" "$NATFLEET_CONF_DIR"
install -m 0755 "$here/nat-boot.sh" "$NATFLEET_LIBEXEC/nat-boot.sh"
install -m 0755 "$here/nat-handoff.sh" "$NATFLEET_LIBEXEC/nat-handoff.sh"
install -m 0644 "$here/natfleet-lib.sh" "$NATFLEET_LIBEXEC/natfleet-lib.sh"

# network-online: the default route and metadata are there. Before the SSM agent: the instance
# only reports in once it is a NAT. No Requires on us: SSM still starts to let people look.
cat >"$NATFLEET_UNIT_DIR/$NATFLEET_UNIT" <<UNIT
[Unit]
Description=natfleet: forwarding, masquerade and conntrack for this NAT instance
Wants=network-online.target
After=network-online.target
Before=amazon-ssm-agent.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/libexec/natfleet/nat-boot.sh

[Install]
WantedBy=multi-user.target
UNIT

if [ "$NATFLEET_BOOT_HOOK" = systemd ]; then
  # Only one netfilter tool: nothing else may load rules at boot.
  systemctl disable --now iptables.service ip6tables.service firewalld.service 2>/dev/null || true
  systemctl daemon-reload
  systemctl enable "$NATFLEET_UNIT"
  systemctl restart "$NATFLEET_UNIT"
  systemctl is-active --quiet "$NATFLEET_UNIT" || die "$NATFLEET_UNIT did not start"
fi
log "enable-nat installed $NATFLEET_UNIT"
