// The committed checker bundle, run as Lambda runs it: a node process imports the module and
// calls the exported handler with an event and a context. Probes go to HTTP servers on
// 127.0.0.1; EC2 and Step Functions calls go to moto_server.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EC2Client, ReplaceRouteCommand } from '@aws-sdk/client-ec2';
import { ListCommandsCommand, SSMClient } from '@aws-sdk/client-ssm';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { bucketStart, EXECUTION_BUCKET_MS } from '../../lib/checker/invocation.js';
import { failoverExecutionName, stateMachineName } from '../../lib/names.js';
import { ROOT } from '../helpers.js';
import { startMoto, type Moto } from '../moto.js';
import { buildVpc, type BuiltZone } from '../../lab/vpc.js';

const BUNDLE = join(ROOT, 'checker/dist/index.js');
const node = process.env.NATFLEET_SMOKE_NODE ?? process.execPath;

// Imports the bundle once and calls its handler as the Lambda runtime does.
const DRIVER = join(ROOT, 'checker/driver.mjs');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Line = any; // a parsed JSON line: log, EMF document or the driver's result

interface Run {
  code: number | null;
  lines: Line[];
  stderr: string;
}

/** A bundle run is killed after this long: the bound of every wait in this file. */
const KILL_MS = 45_000;

/**
 * Runs the bundle with `remainingMs` per invocation, counted from the handler's first look at
 * it (CHECKER_BUDGET_FROM=first-read): a cold start's SDK load, slower on a busy machine, then
 * takes no round away, and the number of rounds follows from the settings alone.
 */
function runBundle(
  vars: Record<string, string>,
  remainingMs: number,
  invocations = 1,
  onLine?: (line: Line) => void,
) {
  return new Promise<Run>((resolve, reject) => {
    const child = spawn(node, [DRIVER], {
      env: {
        PATH: process.env.PATH,
        CHECKER_BUNDLE: pathToFileURL(BUNDLE).href,
        CHECKER_BUDGET_MS: String(remainingMs),
        CHECKER_BUDGET_FROM: 'first-read',
        CHECKER_INVOCATIONS: String(invocations),
        CHECKER_EVERY_MS: '0',
        AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL,
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_REGION: 'eu-west-1',
        AWS_EMF_ENVIRONMENT: 'Local',
        AWS_EC2_METADATA_DISABLED: 'true',
        ...vars,
      },
    });
    let out = '';
    let err = '';
    let seen = 0;
    child.stdout.on('data', (d) => {
      out += d;
      if (!onLine) return;
      const complete = out.slice(0, out.lastIndexOf('\n') + 1).split('\n');
      for (const l of complete.slice(seen, -1)) if (l.startsWith('{')) onLine(JSON.parse(l));
      seen = Math.max(seen, complete.length - 1);
    });
    child.stderr.on('data', (d) => (err += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), KILL_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      const lines = out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l));
      resolve({ code, lines, stderr: err });
    });
  });
}

const listen = (s: Server | TcpServer) =>
  new Promise<string>((resolve) =>
    s.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(s.address() as { port: number }).port}`),
    ),
  );

let moto: Moto;
let ec2: EC2Client;
let sfn: SFNClient;
const servers: (Server | TcpServer)[] = [];
const sockets = new Set<Socket>();
let okUrl: string;
let errorUrl: string;
let hangUrl: string;
let refusedUrl: string;

beforeAll(async () => {
  moto = await startMoto();
  ec2 = new EC2Client({ region: 'eu-west-1' });
  sfn = new SFNClient({ region: 'eu-west-1' });
  const ok = createServer((_q, r) => r.writeHead(200).end());
  const broken = createServer((_q, r) => r.writeHead(503).end());
  // Accepts connections and never answers: a probe through a dead path.
  const hang = createTcpServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const closed = createTcpServer();
  servers.push(ok, broken, hang);
  [okUrl, errorUrl, hangUrl, refusedUrl] = await Promise.all([
    listen(ok),
    listen(broken),
    listen(hang),
    listen(closed),
  ]);
  await new Promise((r) => closed.close(r)); // nothing listens there now: connection refused
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  ec2?.destroy();
  sfn?.destroy();
  await moto?.stop();
});

let zone: BuiltZone;
let failoverArn: string;
beforeEach(async () => {
  await moto.reset();
  const built = await buildVpc(ec2, 'lab', ['eu-west-1a']);
  zone = built.zones[0]!;
  const sm = await sfn.send(
    new CreateStateMachineCommand({
      name: stateMachineName('lab', 'Failover'),
      roleArn: 'arn:aws:iam::123456789012:role/natfleet-lab-workflow',
      definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }),
    }),
  );
  failoverArn = sm.stateMachineArn!;
});

const vars = (urls: string[], over: Record<string, string> = {}) => ({
  NATFLEET_ENVIRONMENT: 'lab',
  NATFLEET_ZONE: zone.zone,
  NATFLEET_URLS: urls.join(','),
  NATFLEET_INTERVAL_SECONDS: '1',
  NATFLEET_TIMEOUT_SECONDS: '1',
  NATFLEET_UNHEALTHY_THRESHOLD: '2',
  NATFLEET_ROUTE_TABLES: zone.routeTables.join(','),
  NATFLEET_FAILOVER_ARN: failoverArn,
  ...over,
});

const executions = async () =>
  (await sfn.send(new ListExecutionsCommand({ stateMachineArn: failoverArn }))).executions ?? [];
const of = (run: Run, type: string): Line[] => run.lines.filter((l) => l.type === type);
const emf = (run: Run, metric: string) => run.lines.filter((l) => l._aws && metric in l);

async function toGateway() {
  for (const t of zone.routeTables) {
    await ec2.send(
      new ReplaceRouteCommand({
        RouteTableId: t,
        DestinationCidrBlock: '0.0.0.0/0',
        NatGatewayId: zone.gateway,
      }),
    );
  }
}

/**
 * Waits for the next execution bucket when the current one could end before two overlapping
 * runs are done (each is killed after KILL_MS): however slow they are, both name one bucket.
 */
const BUCKET_MARGIN_MS = 2 * KILL_MS + 2_000;
async function awayFromBucketEdge() {
  const left = EXECUTION_BUCKET_MS - (Date.now() % EXECUTION_BUCKET_MS);
  if (left < BUCKET_MARGIN_MS) await new Promise((r) => setTimeout(r, left + 200));
}

describe('the checker bundle', () => {
  it('probes while the NAT works (a 503 is an answer, a dead URL alone is not an outage)', async () => {
    // 8.5 s left, 4 s kept back: rounds at 0 and 2 s (one at 4 s could end after 4.5 s); the
    // rounds follow a planned cadence, so a busy machine makes them late, never fewer.
    const slow = { NATFLEET_INTERVAL_SECONDS: '2', NATFLEET_TIMEOUT_SECONDS: '2' };
    const run = await runBundle(vars([okUrl, errorUrl, refusedUrl], slow), 8_500);
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.code).toBe(0);
    const rounds = of(run, 'round');
    expect(rounds).toHaveLength(2);
    expect(rounds.every((r) => r.ok && r.consecutiveFailures === 0)).toBe(true);
    expect(rounds[0].probes.map((p: { status?: number }) => p.status)).toEqual([
      200,
      503,
      undefined,
    ]);
    expect(run.lines.find((l) => l.driver === 'result').result).toMatchObject({
      rounds: 2,
      failedRounds: 0,
      mode: 'instance',
      stoppedBy: 'time',
    });
    expect(emf(run, 'OnInstance').map((d) => d.OnInstance)).toEqual([1]);
    // One EMF document per round, a sample per probe: the refused URL has no latency.
    expect(emf(run, 'ProbeSuccess').map((d) => d.ProbeSuccess)).toEqual([
      [1, 1, 0],
      [1, 1, 0],
    ]);
    expect(emf(run, 'ProbeLatency').map((d) => d.ProbeLatency.length)).toEqual([2, 2]);
    expect(await executions()).toEqual([]);
  });

  it('starts Failover once when every URL fails, however many invocations overlap', async () => {
    await awayFromBucketEdge();
    const dead = vars([refusedUrl, hangUrl]);
    // moto's Failover neither moves routes nor answers a repeat of a running execution with
    // it (Step Functions does, for the same input), so the test lands the Failover itself.
    // Every step waits on an event, never on the clock: the second invocation probes a URL
    // that answers until the first has started Failover, the second has read the zone as on
    // its instance and the routes are on the gateway; only then does the URL close, so the
    // second fails its rounds, finds the name taken and the zone on its gateway (ADR 0095).
    const gate = createServer((_q, r) => r.writeHead(200).end());
    const gateUrl = await listen(gate);
    let second: Promise<Run> | undefined;
    let landed: Promise<void> | undefined;
    const seen = { started: false, secondRead: false };
    const land = () => {
      if (landed || !seen.started || !seen.secondRead) return;
      landed = toGateway().then(() => new Promise<void>((r) => gate.close(() => r())));
    };
    try {
      const first = runBundle(dead, 10_000, 1, (l) => {
        if (!second && l.type === 'round') {
          // A budget far beyond the few rounds it needs after the gate closes.
          second = runBundle(
            vars([gateUrl, hangUrl], { NATFLEET_UNHEALTHY_THRESHOLD: '3' }),
            30_000,
            1,
            (m) => {
              if (m._aws && 'OnInstance' in m) seen.secondRead = true;
              land();
            },
          );
        }
        if (l.type === 'failover' && l.action === 'started') seen.started = true;
        land();
      });
      await first;
      expect(second).toBeDefined();
      const [a, b] = await Promise.all([first, second!]);
      await landed;
      expect(a.code).toBe(0);
      expect(b.code).toBe(0);
      // The first: a round a second, two failures, then the start and no more.
      const ra = of(a, 'round');
      expect(ra.map((r) => r.consecutiveFailures)).toEqual([1, 2]);
      expect(ra[1].probes.map((p: { error: string }) => p.error)).toEqual([
        expect.stringContaining('ECONNREFUSED'),
        'no answer in 1000 ms',
      ]);
      // The second: good rounds while the gate answers, then three failures and the decision.
      const rb = of(b, 'round').map((r) => r.consecutiveFailures);
      expect(rb.slice(-3)).toEqual([1, 2, 3]);
      expect(rb.slice(0, -3).every((c: number) => c === 0)).toBe(true);
      expect(
        of(b, 'round')
          .at(-1)
          .probes.map((p: { error: string }) => p.error),
      ).toEqual([expect.stringContaining('ECONNREFUSED'), 'no answer in 1000 ms']);
      expect(of(a, 'failover').map((f) => f.action)).toEqual(['started']);
      expect(of(b, 'failover').map((f) => f.action)).toEqual(['already-started']);
      const starts = [a, b].flatMap((r) =>
        emf(r, 'FailoversStarted').map((d) => d.FailoversStarted),
      );
      expect(starts).toEqual([1]);

      const list = await executions();
      expect(list).toHaveLength(1);
      const name = of(a, 'failover')[0].name;
      expect(name).toBe(of(b, 'failover')[0].name);
      expect(list[0]!.name).toBe(name);
      const at = new Date(ra[1].at).getTime();
      expect(name).toBe(failoverExecutionName(zone.zone, bucketStart(at)));
      const described = await sfn.send(
        new DescribeExecutionCommand({ executionArn: list[0]!.executionArn }),
      );
      expect(JSON.parse(described.input!)).toEqual({
        zones: [zone.zone],
        reason: 'checker: 2 consecutive failed probe rounds in eu-west-1a',
      });
    } finally {
      if (gate.listening) await new Promise((r) => gate.close(r));
    }
  }, 240_000); // a wait for the next bucket and two bounded runs

  it('starts nothing for a zone already on its gateway', async () => {
    await toGateway();
    // The URL answers until the mode read at the start has answered (its OnInstance line),
    // then closes: the decision always sees the mode, however slow the machine is.
    const gate = createServer((_q, r) => r.writeHead(200).end());
    const gateUrl = await listen(gate);
    try {
      const run = await runBundle(vars([gateUrl]), 12_000, 1, (l) => {
        if (l._aws && 'OnInstance' in l && gate.listening) gate.close();
      });
      expect(run.code).toBe(0);
      // Good rounds, then failures counting up past the threshold: the skip stops nothing.
      const rounds = of(run, 'round').map((r) => r.consecutiveFailures);
      const firstFailed = rounds.indexOf(1);
      expect(firstFailed).toBeGreaterThan(0);
      expect(rounds.slice(0, firstFailed).every((c: number) => c === 0)).toBe(true);
      expect(rounds.slice(firstFailed)).toEqual(
        rounds.slice(firstFailed).map((_: number, i: number) => i + 1),
      );
      expect(rounds.length - firstFailed).toBeGreaterThanOrEqual(2);
      expect(of(run, 'failover')).toEqual([
        expect.objectContaining({
          action: 'skipped',
          reason: 'the zone is already on its gateway',
        }),
      ]);
      expect(emf(run, 'OnInstance').map((d) => d.OnInstance)).toEqual([0]);
      expect(await executions()).toEqual([]);
    } finally {
      if (gate.listening) await new Promise((r) => gate.close(r));
    }
  });

  it('with auto-fallback on, runs the health command on the instance and reads it back', async () => {
    await toGateway();
    const fallbackSm = await sfn.send(
      new CreateStateMachineCommand({
        name: stateMachineName('lab', 'Fallback'),
        roleArn: 'arn:aws:iam::123456789012:role/natfleet-lab-workflow',
        definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }),
      }),
    );
    const auto = vars([okUrl], {
      NATFLEET_AUTO_FALLBACK: 'true',
      NATFLEET_HEALTHY_MINUTES: '1',
      NATFLEET_FALLBACK_ARN: fallbackSm.stateMachineArn!,
    });
    // Two invocations in one process (a warm Lambda): the second sees the first's result.
    const run = await runBundle(auto, 5_500, 2);
    expect(run.code).toBe(0);
    const steps = of(run, 'fallback');
    expect(steps.map((f) => f.action)).toEqual(['waiting', 'waiting']);
    expect(steps[0].reason).toBe(`instance ${zone.instanceId} has no recent good health result`);
    expect(steps[1].reason).toBe(`instance ${zone.instanceId} healthy for 0 of 1 min`);

    const ssm = new SSMClient({ region: 'eu-west-1' });
    const commands = (await ssm.send(new ListCommandsCommand({ InstanceId: zone.instanceId })))
      .Commands!;
    ssm.destroy();
    expect(commands).toHaveLength(2);
    expect(commands[0]).toMatchObject({
      DocumentName: 'AWS-RunShellScript',
      Comment: 'natfleet health',
      InstanceIds: [zone.instanceId],
    });
    expect(commands[0]!.Parameters!.commands!.join('\n')).toContain(`for u in '${okUrl}'; do`);
    expect(await executions()).toEqual([]);
  });

  it('fails every invocation, naming the variable, when its configuration is bad', async () => {
    const run = await runBundle(
      vars([okUrl], { NATFLEET_INTERVAL_SECONDS: '99', NATFLEET_FAILOVER_ARN: 'nope' }),
      7_000,
      2,
    );
    expect(run.code).toBe(1);
    const errors = run.lines.filter((l) => l.driver === 'error');
    expect(errors).toHaveLength(2);
    for (const e of errors) {
      expect(e.message).toContain(
        'NATFLEET_INTERVAL_SECONDS: expected a whole number from 1 to 30, got "99"',
      );
      expect(e.message).toContain('NATFLEET_FAILOVER_ARN: expected a state machine ARN');
    }
    expect(run.stderr).toContain('the checker is NOT checking');
    expect(of(run, 'round')).toEqual([]);
  });
});
