// Namespace housekeeping for the lab: prerequisites, listing, removal, crash cleanup.
// Lab namespaces are named `nfl<pid>-…`; a name whose pid is gone belongs to a crashed lab.
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { must, run, sleep } from './exec.js';

const NAME = /^nfl(\d+)-/;

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export const hasTool = (tool: string) =>
  spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;

/** Why the lab cannot run here, or undefined when it can. */
export function labUnavailable(): string | undefined {
  if (!isRoot()) return 'the lab needs root (network namespaces, nft, iptables)';
  for (const tool of ['ip', 'nft', 'iptables-legacy', 'curl', 'ss', 'jq']) {
    if (!hasTool(tool))
      return `${tool} is not installed (apt-get install iproute2 nftables iptables curl jq)`;
  }
  return undefined;
}

export const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export async function namespaces(): Promise<string[]> {
  const out = await must(['ip', 'netns', 'list']);
  return out
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter(Boolean);
}

/** Kills every process inside a namespace (by pid), then deletes it. */
export async function removeNamespace(ns: string): Promise<void> {
  const pids = (await run(['ip', 'netns', 'pids', ns])).stdout.split('\n').filter(Boolean);
  for (const p of pids) {
    try {
      process.kill(Number(p), 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  for (let i = 0; i < 20 && pids.some((p) => alive(Number(p))); i++) await sleep(50);
  await run(['ip', 'netns', 'del', ns]);
}

/** Removes what labs of processes that no longer exist left behind (after a crash). */
export async function cleanupStale(): Promise<string[]> {
  const removed: string[] = [];
  for (const ns of await namespaces()) {
    const m = NAME.exec(ns);
    if (m && !alive(Number(m[1]))) {
      await removeNamespace(ns);
      removed.push(ns);
    }
  }
  for (const d of readdirSync(tmpdir())) {
    const m = /^natfleet-lab-nfl(\d+)-/.exec(d);
    if (m && !alive(Number(m[1]))) rmSync(join(tmpdir(), d), { recursive: true, force: true });
  }
  return removed;
}

/**
 * A lab part built from nothing: leftovers of crashed runs removed first; on a failed build
 * whatever it made is removed again, so a failure leaves no namespace behind.
 */
export async function buildFresh<T extends { destroy(): Promise<void> }>(
  part: T,
  build: (part: T) => Promise<void>,
): Promise<T> {
  await cleanupStale();
  try {
    await build(part);
  } catch (e) {
    await part.destroy();
    throw e;
  }
  return part;
}
