// The health command a NAT instance runs on itself, defined once: the checker's auto-fallback
// sends it to decide when a zone may go back (lib/checker), and Fallback and ReplaceInstances
// send it before a zone's routes move to an instance (the path check, ADR 0150). It is plain
// AWS-RunShellScript, so the lab runs it unchanged in its namespaces.

/** Where the NAT image installs test-nat (the image's contract with the checker). */
export const TEST_NAT = '/usr/local/bin/test-nat';
/** How long the instance may take (SSM's executionTimeout): test-nat and the first answering URL. */
export const HEALTH_TIMEOUT_SECONDS = 30;
/** How long SSM may wait for an instance to pick a natfleet command up. */
export const DELIVERY_SECONDS = 60;
/** The tail of test-nat's output kept on failure (the report carries it). */
export const HEALTH_OUTPUT_BYTES = 600;

/**
 * The shell the instance runs: its own test-nat (forwarding, translation, rule backend,
 * resolver) with --before-traffic, as no route points at the instance yet (an unused
 * masquerade rule is expected, not judged), then the checker's URLs over IPv4 from the instance itself; any HTTP answer
 * counts, as in the checker. Exit status 0 only when test-nat passes and one URL answers. On
 * failure stderr says why in a few hundred bytes (test-nat's own tail, then the verdict).
 */
export function healthCommands(urls: readonly string[], testNat = TEST_NAT): string[] {
  const quoted = urls.map((u) => `'${u.replace(/'/g, `'\\''`)}'`).join(' ');
  return [
    'set -u',
    `out=$(${testNat} --before-traffic 2>&1) || { printf '%s\\n' "$out" | tail -c ${HEALTH_OUTPUT_BYTES} >&2; echo "test-nat failed" >&2; exit 1; }`,
    `for u in ${quoted}; do`,
    '  if curl -4 -sS -o /dev/null --max-time 5 "$u" 2>/dev/null; then echo "reachable: $u"; exit 0; fi',
    'done',
    'echo "no URL answered from the instance" >&2',
    'exit 1',
  ];
}

/** SendCommand's fixed part for the health command (the caller adds instance and comment). */
export function healthRequest(urls: readonly string[]) {
  return {
    DocumentName: 'AWS-RunShellScript',
    TimeoutSeconds: DELIVERY_SECONDS,
    Parameters: {
      commands: healthCommands(urls),
      executionTimeout: [String(HEALTH_TIMEOUT_SECONDS)],
    },
  };
}
