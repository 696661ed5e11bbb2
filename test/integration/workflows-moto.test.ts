// The one cross-check moto's own Step Functions executor allows per server (see TOOLCHAIN.md):
// `natfleet failover` starts the real Failover definition in moto, follows it through the
// Step Functions API and prints the summary; the routes in moto's EC2 are then on the gateways.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { CreateStateMachineCommand, SFNClient } from '@aws-sdk/client-sfn';
import { EC2Client } from '@aws-sdk/client-ec2';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { run } from '../../cli/run.js';
import { observeRouteTables } from '../../lib/aws/fleet.js';
import { stateMachineName } from '../../lib/names.js';
import { failoverDefinition } from '../../lib/workflows/index.js';
import { captureIo, tempDir } from '../helpers.js';
import { startMoto, type Moto } from '../moto.js';
import { buildVpc, failoverRefs } from '../../lab/vpc.js';

let moto: Moto;
beforeAll(async () => {
  moto = await startMoto();
  await moto.configure({ stepfunctions: { execute_state_machine: true } });
});
afterAll(async () => {
  await moto?.stop();
});

it('natfleet failover runs the Failover definition in moto and reports every route', async () => {
  const ec2 = new EC2Client({ region: 'eu-west-1' });
  const sfn = new SFNClient({ region: 'eu-west-1' });
  const { env, zones } = await buildVpc(ec2, 'prod', ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'], 2);
  const def = failoverDefinition(env, failoverRefs(env, zones));
  await sfn.send(
    new CreateStateMachineCommand({
      name: stateMachineName('prod', 'Failover'),
      definition: JSON.stringify(def),
      roleArn: 'arn:aws:iam::123456789012:role/natfleet-prod-Failover',
    }),
  );
  const raw: Record<string, unknown> = { ...env };
  delete raw.name;
  const config = join(tempDir(), 'natfleet.yml');
  writeFileSync(config, stringify({ version: 1, environments: { prod: raw } }));

  const io = captureIo();
  const code = await run(
    [
      'failover',
      '--env',
      'prod',
      '--zones',
      'eu-west-1a,eu-west-1c',
      '--reason',
      'cross-check',
      '--config',
      config,
    ],
    io,
    {},
  );
  expect({ code, err: io.stderr }).toEqual({ code: 0, err: [] });
  const out = io.stdout.join('\n');
  expect(io.stdout[0]).toMatch(
    /^starting Failover as Failover-cli-\d{8}T\d{6}Z-\w{4} \(eu-west-1a, eu-west-1c; reason: cross-check\)$/,
  );
  // One line per state entered and left, with the time.
  expect(out).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}→ ToGateway$/m);
  expect(out).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}← GatewayTables \(\d+ ms\)$/m);
  expect(out).toContain('Failover SUCCEEDED');
  for (const z of zones) {
    for (const t of z.routeTables) {
      const why =
        z.zone === 'eu-west-1b' ? 'not chosen' : `failover: on standby gateway ${z.gateway}`;
      const after = z.zone === 'eu-west-1b' ? z.eniId : z.gateway;
      expect(out).toMatch(new RegExp(`${z.zone} +${t} +${z.eniId} +${after} +${why}`));
    }
  }
  const routes = await observeRouteTables(
    ec2,
    zones.flatMap((z) => z.routeTables),
  );
  for (const z of zones) {
    for (const t of z.routeTables) {
      const r = routes.find((x) => x.routeTableId === t)!.defaultRoute!;
      if (z.zone === 'eu-west-1b') expect(r.networkInterfaceId).toBe(z.eniId);
      else expect(r.natGatewayId).toBe(z.gateway);
    }
  }
  ec2.destroy();
  sfn.destroy();
});
