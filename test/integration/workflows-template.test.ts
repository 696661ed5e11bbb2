import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { renderStacks } from '../../cloudformation/index.js';
import { workflowsStack } from '../../cloudformation/workflows.js';
import { stateMachineLogGroup, stateMachineName, WORKFLOWS } from '../../lib/names.js';
import { exampleEnv, tempDir } from '../helpers.js';

const validate = createRequire(import.meta.url)('asl-validator') as (d: unknown) => {
  isValid: boolean;
  errors: unknown[];
};

type Statement = {
  Action: string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, string>>;
};
const statements = (t: ReturnType<typeof workflowsStack>['template'], wf: string) =>
  (
    t.Resources[`${wf}Role`]!.Properties!.Policies as {
      PolicyDocument: { Statement: Statement[] };
    }[]
  )[0]!.PolicyDocument.Statement;
const subs = (r: unknown): string[] =>
  (Array.isArray(r) ? r : [r]).map((x) =>
    typeof x === 'string' ? x : ((x as { 'Fn::Sub'?: string })['Fn::Sub'] ?? JSON.stringify(x)),
  );

describe('workflows stack', () => {
  const envs = [exampleEnv('prod'), exampleEnv('staging')];

  it('passes cfn-lint with no error and no warning', () => {
    const dir = tempDir();
    const files = envs.map((env) => {
      const f = join(dir, `${env.name}-workflows.json`);
      writeFileSync(f, JSON.stringify(workflowsStack(env).template, null, 2));
      return f;
    });
    execFileSync('cfn-lint', ['--format', 'parseable', ...files], { stdio: 'pipe' });
  });

  it('is one of the stacks an environment renders', () => {
    expect(renderStacks(envs[0]!).map((s) => s.kind)).toContain('workflows');
  });

  it('names state machines and log groups through the names module and logs every execution', () => {
    for (const env of envs) {
      const t = workflowsStack(env).template;
      for (const wf of WORKFLOWS) {
        const sm = t.Resources[`${wf}StateMachine`]!.Properties!;
        expect(sm.StateMachineName).toBe(stateMachineName(env.name, wf));
        expect(t.Resources[`${wf}Logs`]!.Properties!.LogGroupName).toBe(
          stateMachineLogGroup(env.name, wf),
        );
        expect(sm.LoggingConfiguration).toMatchObject({ Level: 'ALL' });
        expect(validate(structuredClone(sm.Definition)).isValid).toBe(true);
      }
    }
  });

  it('grants route changes on the route tables of the VPC only, whatever their number, and no EC2 wildcard action', () => {
    for (const env of envs) {
      const t = workflowsStack(env).template;
      for (const wf of WORKFLOWS) {
        const all = statements(t, wf);
        for (const s of all) for (const a of s.Action) expect(a).not.toMatch(/^ec2:\*|^\*$|:\*$/);
        const routes = all.filter((s) => s.Action.includes('ec2:ReplaceRoute'));
        // Maintenance changes no route itself: its children do.
        expect(routes).toHaveLength(wf === 'Maintenance' ? 0 : 1);
        if (wf === 'Maintenance') continue;
        expect(routes[0]!.Action.sort()).toEqual(['ec2:CreateRoute', 'ec2:ReplaceRoute']);
        expect(subs(routes[0]!.Resource)).toEqual([
          'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:route-table/*',
        ]);
        expect(JSON.stringify(routes[0]!.Condition)).toContain(`vpc/${env.vpcId}`);
      }
    }
  });

  it('lets ReplaceInstances launch, terminate and move EIPs only for the environment’s NAT instances', () => {
    const env = envs[0]!;
    const all = statements(workflowsStack(env).template, 'ReplaceInstances');
    const onInstances = all.filter((s) => subs(s.Resource).some((r) => r.endsWith(':instance/*')));
    const byAction = (a: string) => onInstances.filter((s) => s.Action.includes(a));
    expect(byAction('ec2:RunInstances')[0]!.Condition).toEqual({
      StringEquals: {
        'aws:RequestTag/natfleet:environment': env.name,
        'aws:RequestTag/natfleet:role': 'nat-instance',
      },
    });
    for (const a of [
      'ec2:TerminateInstances',
      'ec2:AssociateAddress',
      'ec2:ModifyInstanceAttribute',
    ]) {
      // The role tag keeps Image Builder's build instances (role "image") out.
      expect(byAction(a).map((s) => s.Condition)).toEqual([
        {
          StringEquals: {
            'aws:ResourceTag/natfleet:environment': env.name,
            'aws:ResourceTag/natfleet:role': 'nat-instance',
          },
        },
      ]);
    }
    // Failover and Fallback cannot touch instances at all.
    for (const wf of ['Failover', 'Fallback']) {
      const actions = statements(workflowsStack(env).template, wf).flatMap((s) => s.Action);
      expect(
        actions.filter((a) => /RunInstances|TerminateInstances|AssociateAddress/.test(a)),
      ).toEqual([]);
    }
  });
});
