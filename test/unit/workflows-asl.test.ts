import { describe, expect, it } from '@jest/globals';
import { createRequire } from 'node:module';
import { workflowDefinitions, type WorkflowRefs } from '../../lib/workflows/index.js';
import { WORKFLOWS } from '../../lib/names.js';
import { exampleEnv } from '../helpers.js';

const validate = createRequire(import.meta.url)('asl-validator') as (
  d: unknown,
  o?: object,
) => { isValid: boolean; errors: { message: string; path?: string }[] };

const refs = (zones: string[]): WorkflowRefs => ({
  gateways: Object.fromEntries(zones.map((z, i) => [z, `nat-0000000000000000${i}`])),
  launchTemplateId: 'lt-00000000000000001',
  amiParameter: '/natfleet/prod/ami',
  imagePipelineArn:
    'arn:aws:imagebuilder:eu-west-1:123456789012:image-pipeline/natfleet-prod-image',
  replaceInstancesArn:
    'arn:aws:states:eu-west-1:123456789012:stateMachine:natfleet-prod-ReplaceInstances',
  fallbackArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:natfleet-prod-Fallback',
});

function walk(v: unknown, visit: (k: string, v: unknown) => void) {
  if (Array.isArray(v)) v.forEach((x) => walk(x, visit));
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      visit(k, x);
      walk(x, visit);
    }
}

describe('workflow definitions', () => {
  for (const name of ['prod', 'staging'] as const) {
    const env = exampleEnv(name);
    const defs = workflowDefinitions(env, refs(env.zones.map((z) => z.availabilityZone)));

    it(`${name}: all four pass asl-validator`, () => {
      expect(Object.keys(defs)).toEqual([...WORKFLOWS]);
      for (const [wf, d] of Object.entries(defs)) {
        const r = validate(structuredClone(d));
        expect({ wf, errors: r.errors.map((e) => JSON.stringify(e)) }).toEqual({ wf, errors: [] });
        expect(r.isValid).toBe(true);
      }
    });

    it(`${name}: SDK integrations only, JSONPath only`, () => {
      for (const d of Object.values(defs)) {
        walk(d, (k, v) => {
          if (k === 'Resource')
            expect(v).toMatch(
              /^arn:aws:states:::(aws-sdk:(ec2|ssm|sfn|imagebuilder):[a-z][A-Za-z]+|states:startExecution\.sync:2)$/,
            );
          expect(k).not.toBe('QueryLanguage');
          if (typeof v === 'string') expect(v).not.toMatch(/^\{%/);
        });
      }
    });
  }
});
