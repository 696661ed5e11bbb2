// Failover: every route table of the chosen zones to its standby NAT gateway, all in parallel;
// with `hold` in its input, the zones are held there first (ADR 0111). It never takes the lock.
import type { Environment } from '../config/schema.js';
import type { Definition } from './asl.js';
import { holdStates } from './holds.js';
import { gatewayFlow, prologue, zonesThenReport, zoneTable, type WorkflowRefs } from './common.js';

export function failoverDefinition(env: Environment, refs: WorkflowRefs): Definition {
  const zone = {
    StartAt: 'Why',
    States: {
      Why: { Type: 'Pass', Result: { why: 'failover' }, ResultPath: '$.note', Next: 'ToGateway' },
      ...gatewayFlow(),
    },
  };
  return {
    Comment: `natfleet ${env.name}: Failover — route tables of the chosen zones to their standby NAT gateways`,
    StartAt: 'Fleet',
    TimeoutSeconds: 300,
    States: {
      ...prologue('Failover', zoneTable(env, refs), 'Hold?'),
      ...holdStates('Zones'),
      ...zonesThenReport('Failover', zone),
    },
  };
}
