# harden-nat (build phase): no SSH, nothing listening but the SSM agent, network sysctls that
# harden the host and keep forwarding working. IMDSv2-only is enforced by the launch template
# and infrastructure configuration; test-nat checks it from the inside.
set -euo pipefail
# shellcheck source=natfleet-lib.sh
. "$(dirname "$0")/natfleet-lib.sh"

mkdir -p "$NATFLEET_SYSCTL_DIR"
# Per-network-namespace keys only: the lab applies this very file inside a namespace.
cat >"$NATFLEET_SYSCTL_DIR/90-natfleet-harden.conf" <<'SYSCTL'
# natfleet harden-nat. Forwarding stays on (enable-nat); rp_filter stays loose (2): strict
# drops the replies of an asymmetric NAT path.
net.ipv4.conf.all.accept_source_route = 0
net.ipv4.conf.default.accept_source_route = 0
net.ipv4.conf.all.secure_redirects = 0
net.ipv4.conf.default.secure_redirects = 0
net.ipv4.conf.all.rp_filter = 2
net.ipv4.conf.default.rp_filter = 2
net.ipv4.icmp_echo_ignore_broadcasts = 1
net.ipv4.icmp_ignore_bogus_error_responses = 1
net.ipv4.tcp_syncookies = 1
SYSCTL
while read -r key value; do sysctl_set "$key" "$value"; done \
  < <(sysctl_file_entries "$NATFLEET_SYSCTL_DIR/90-natfleet-harden.conf")

if [ "$NATFLEET_BOOT_HOOK" = systemd ]; then
  # SSH off for good: SSM Session Manager is the way in.
  systemctl disable --now sshd.service sshd.socket 2>/dev/null || true
  systemctl mask sshd.service sshd.socket
  # Listeners a NAT does not need (absent ones are fine).
  for unit in rpcbind.service rpcbind.socket cups.service avahi-daemon.service postfix.service; do
    systemctl disable --now "$unit" 2>/dev/null || true
  done
  # chrony needs no command port on the network.
  if [ -f /etc/chrony.conf ] && ! grep -q '^cmdport 0' /etc/chrony.conf; then
    echo 'cmdport 0' >>/etc/chrony.conf
    systemctl try-restart chronyd.service
  fi
  dnf -y remove ec2-instance-connect >/dev/null 2>&1 || true
  systemctl enable amazon-ssm-agent.service
fi
log "harden-nat done"
