// Cross-field rules of the regional standby (`gateway.mode: regional`). Like rules.ts they read
// the raw document defensively and compare only values that are themselves valid.
import { describe, type Problem } from './problems.js';
import { isObj, type Rule } from './view.js';

/**
 * A regional gateway belongs to the VPC, not to a subnet, and one id serves every zone: no
 * gateway.subnet, no zone's own natGatewayId (adopt one with gateway.natGatewayId).
 */
export const regionalGateway: Rule = ({ env, base, zones }) => {
  const gateway = isObj(env.gateway) ? env.gateway : {};
  if (gateway.mode !== 'regional') return [];
  const problems: Problem[] = [];
  if (gateway.subnet !== undefined) {
    problems.push({
      path: [...base, 'gateway', 'subnet'],
      expected:
        'no gateway.subnet with gateway.mode regional (a regional gateway sits in no subnet)',
      found: describe(gateway.subnet),
    });
  }
  for (const { z, path } of zones) {
    if (z.natGatewayId !== undefined) {
      problems.push({
        path: [...path, 'natGatewayId'],
        expected:
          'no per-zone gateway with gateway.mode regional (one regional gateway serves every zone: use gateway.natGatewayId)',
        found: describe(z.natGatewayId),
      });
    }
  }
  return problems;
};
