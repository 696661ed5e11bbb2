// Failover of 50 route tables (2 zones × 25) against moto: the Failover definition in the
// in-process runner, against the same 50 ReplaceRoute calls made one after another. moto answers
// in a few milliseconds and one request at a time, so a second pass adds a fixed latency to every
// EC2 call on both sides, as a real API has. Prints numbers; asserts nothing about speed.
import { EC2Client, ReplaceRouteCommand } from '@aws-sdk/client-ec2';
import { observeRouteTables } from '../lib/aws/fleet.js';
import { stateMachineName } from '../lib/names.js';
import { DEFAULT_ROUTE } from '../lib/routes.js';
import { failoverDefinition } from '../lib/workflows/index.js';
import { LocalStepFunctions } from '../lab/stepfunctions/local.js';
import { startMoto } from '../test/moto.js';
import { buildVpc, failoverRefs } from '../lab/vpc.js';

const ZONES = ['eu-west-1a', 'eu-west-1b']; // moto knows three zones in eu-west-1
const TABLES_PER_ZONE = 25;
const ROUNDS = 5;
const LATENCIES_MS = [0, 50];
process.env.AWS_EC2_METADATA_DISABLED = 'true';

const moto = await startMoto();
const ec2 = new EC2Client({ region: 'eu-west-1', maxAttempts: 1 });
try {
  const { env, zones } = await buildVpc(ec2, 'bench', ZONES, TABLES_PER_ZONE);
  const tables = zones.flatMap((z) => z.routeTables);
  const definition = failoverDefinition(env, failoverRefs(env, zones));
  /** Every table's ReplaceRoute to its zone's instance or gateway. */
  const replacements = (to: 'instance' | 'gateway') =>
    zones.flatMap((z) =>
      z.routeTables.map(
        (RouteTableId) =>
          new ReplaceRouteCommand({
            RouteTableId,
            DestinationCidrBlock: DEFAULT_ROUTE,
            ...(to === 'instance' ? { NetworkInterfaceId: z.eniId } : { NatGatewayId: z.gateway }),
          }),
      ),
    );
  /** Back on the instances, outside the timing. */
  const reset = () => Promise.all(replacements('instance').map((c) => ec2.send(c)));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

  console.log(
    `Failover of ${tables.length} route tables in ${ZONES.length} zones against moto, median of ${ROUNDS} rounds:`,
  );
  for (const latency of LATENCIES_MS) {
    // Only send() is used, by the runner's adapter and by the sequential calls.
    const slow = {
      send: async (c: unknown) => {
        await new Promise((r) => setTimeout(r, latency));
        return ec2.send(c as never);
      },
    } as unknown as EC2Client;
    const sf = new LocalStepFunctions({ clients: { ec2: slow } });
    const arn = sf.register(stateMachineName('bench', 'Failover'), definition);
    const workflow: number[] = [];
    const sequential: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await reset();
      let t = performance.now();
      const r = await sf.start(arn, { reason: 'bench' }, `bench-${latency}-${round}`).result;
      workflow.push(performance.now() - t);
      if (r.status !== 'SUCCEEDED') throw new Error(`Failover ${r.status}: ${r.error} ${r.cause}`);
      const after = await observeRouteTables(ec2, tables);
      if (after.some((x) => !x.defaultRoute?.natGatewayId))
        throw new Error('a table is not on its gateway');
      await reset();
      const calls = replacements('gateway');
      t = performance.now();
      for (const c of calls) await slow.send(c);
      sequential.push(performance.now() - t);
      const moved = await observeRouteTables(ec2, tables);
      if (moved.some((x) => !x.defaultRoute?.natGatewayId))
        throw new Error('a sequential call left a table off its gateway');
    }
    const w = median(workflow);
    const s = median(sequential);
    console.log(`  added latency per EC2 call: ${latency} ms`);
    console.log(
      `    Failover workflow (1 describe per zone, 1 replace per table, in parallel): ${w.toFixed(0)} ms`,
    );
    console.log(
      `    the same ${tables.length} ReplaceRoute calls one after another:             ${s.toFixed(0)} ms`,
    );
    console.log(`    ratio sequential / workflow: ${(s / w).toFixed(2)}×`);
    console.log(
      `    rounds: workflow ${workflow.map((x) => x.toFixed(0)).join(', ')} ms; sequential ${sequential.map((x) => x.toFixed(0)).join(', ')} ms`,
    );
  }
} finally {
  ec2.destroy();
  await moto.stop();
}
