// The handoff's states in ReplaceInstances (lib/workflows/handoff.ts): absent unless egress is
// floating, valid ASL when present, every state reachable, the order the lab proves.
import { allStates } from '../../lab/stepfunctions/local.js';
import { describe, expect, it } from '@jest/globals';
import { createRequire } from 'node:module';
import { replaceDefinition, type WorkflowRefs } from '../../lib/workflows/index.js';
import { HANDOFF } from '../../lib/workflows/handoff.js';
import { ROLL } from '../../lib/workflows/replace.js';
import { PATH_CHECK } from '../../lib/workflows/path.js';
import type { Definition, State, States } from '../../lib/workflows/asl.js';
import type { Environment } from '../../lib/config/schema.js';
import { exampleEnv } from '../helpers.js';

const validate = createRequire(import.meta.url)('asl-validator') as (d: unknown) => {
  isValid: boolean;
  errors: unknown[];
};

const refs = (env: Environment): WorkflowRefs => ({
  gateways: Object.fromEntries(
    env.zones.map((z, i) => [z.availabilityZone, `nat-0000000000000000${i}`]),
  ),
  launchTemplateId: 'lt-00000000000000001',
  amiParameter: '/natfleet/prod/ami',
  imagePipelineArn: 'arn:aws:imagebuilder:eu-west-1:123456789012:image-pipeline/x',
  replaceInstancesArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:r',
  fallbackArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:f',
});

const floating = (name: 'prod' | 'staging'): Environment => {
  const env = structuredClone(exampleEnv(name));
  env.instance.egress = 'floating';
  env.zones.forEach((z, i) => (z.floatingAddress = `10.20.${i}.50`));
  return env;
};

/** The zone roll's processor, wherever the definition nests it (under the lock's Parallel). */
const roll = (d: Definition) =>
  (
    allStates(d.States).find(([n]) => n === 'RollZone')![1] as {
      ItemProcessor: { StartAt: string; States: States };
    }
  ).ItemProcessor;

/** Every state a transition (Next, Default, Choices, Catch) reaches from StartAt. */
function reachable(start: string, states: States): Set<string> {
  const seen = new Set<string>();
  const go = (n: string) => {
    if (seen.has(n) || !states[n]) return;
    seen.add(n);
    const s = states[n] as State & Record<string, unknown>;
    const next: string[] = [];
    if (typeof s.Next === 'string') next.push(s.Next);
    if (typeof s.Default === 'string') next.push(s.Default);
    for (const c of (s.Choices as { Next: string }[] | undefined) ?? []) next.push(c.Next);
    for (const c of (s.Catch as { Next: string }[] | undefined) ?? []) next.push(c.Next);
    next.forEach(go);
  };
  go(start);
  return seen;
}

describe('the handoff in ReplaceInstances', () => {
  it('egress primary (the default) builds the very definition as before, without handoff states', () => {
    const env = exampleEnv('prod');
    const explicit = structuredClone(env);
    explicit.instance.egress = 'primary';
    const d = replaceDefinition(env, refs(env));
    expect(replaceDefinition(explicit, refs(explicit))).toEqual(d);
    expect(Object.keys(roll(d).States).filter((s) => s.startsWith('Handoff'))).toEqual([]);
    expect(roll(d).States[ROLL.sourceDest]!.Next).toBe(ROLL.eip);
  });

  for (const name of ['prod', 'staging'] as const) {
    it(`${name}, egress floating: valid ASL, every state reachable and every target a state`, () => {
      const env = floating(name);
      const d = replaceDefinition(env, refs(env));
      const r = validate(structuredClone(d));
      expect(r.errors).toEqual([]);
      const p = roll(d);
      const seen = reachable(p.StartAt, p.States);
      expect(Object.keys(p.States).filter((s) => !seen.has(s))).toEqual([]);
      // The roll's own Elastic IP move is gone: the address carries it.
      expect(p.States[ROLL.eip]).toBeUndefined();
      expect(p.States[ROLL.moveEip]).toBeUndefined();
      // Each zone's address, baked in.
      env.zones.forEach((z, i) =>
        expect(p.States[`HandoffAddress${i}`]).toMatchObject({
          Result: { address: z.floatingAddress },
        }),
      );
    });
  }

  it('the order: copy, the switch, the move awaited until it shows, the Elastic IP, the final delta', () => {
    const env = floating('prod');
    const s = roll(replaceDefinition(env, refs(env))).States;
    expect(s[ROLL.sourceDest]!.Next).toBe(HANDOFF.address);
    expect(s[HANDOFF.receive]!.Next).toBe(HANDOFF.send);
    expect(s[`${HANDOFF.copied}Done?`]).toMatchObject({ Choices: [{ Next: HANDOFF.copyOk }, {}] });
    expect(s[HANDOFF.copyOk]!.Next).toBe(ROLL.switch);
    expect(s[`${ROLL.switch}Failed?`]!.Default).toBe(HANDOFF.moved);
    expect(s[HANDOFF.moved]).toMatchObject({ Default: HANDOFF.move });
    expect(s[HANDOFF.move]).toMatchObject({
      Resource: 'arn:aws:states:::aws-sdk:ec2:assignPrivateIpAddresses',
      Parameters: { AllowReassignment: true },
      Next: HANDOFF.shows.start,
    });
    expect(s[HANDOFF.shown]).toMatchObject({ Choices: [{ Next: HANDOFF.eip }] });
    expect(s[HANDOFF.associate]!.Next).toBe(HANDOFF.final);
    // The final delta, then the path proved from the address, then the old instance retires.
    expect(s[`${HANDOFF.finalCopied}Done?`]).toMatchObject({
      Choices: [{ Next: PATH_CHECK.start }, {}],
    });
    expect(s[HANDOFF.proved]).toMatchObject({
      Choices: [{ Variable: '$.handoff.copied', Next: ROLL.retire }],
      Default: ROLL.switch,
    });
    // Nothing copied: the address adopted, the path proved, only then the switch.
    expect(s[HANDOFF.adoptOk]!.Next).toBe(PATH_CHECK.start);
    // After the move, every failure gives the address back before the rollback.
    for (const st of [HANDOFF.read, HANDOFF.associate, HANDOFF.finalReceive, PATH_CHECK.start])
      expect((s[st]!.Catch as { Next: string }[])[0]!.Next).toBe(HANDOFF.giveBack);
    expect(s[HANDOFF.giveBackAssociate]!.Next).toBe(ROLL.rollback);
    // The command carries the zone's address and the peer's, formatted at run time.
    expect(JSON.stringify(s[HANDOFF.receive]!.Parameters)).toContain(
      "States.Format('/usr/local/libexec/natfleet/nat-handoff.sh receive {} {}', $.float.address, $.peer.ip)",
    );
  });
});
