// Which target a zone's traffic takes now, read from its route tables.
import type { Mode } from '../fleet.js';
import type { ObservedTable } from '../routes.js';

/**
 * A zone is on its gateway when every one of its route tables sends 0.0.0.0/0 to a NAT
 * gateway. Anything else (an instance, a blackhole, no route) may still need a failover.
 */
export function zoneMode(routeTables: readonly string[], observed: readonly ObservedTable[]): Mode {
  const byId = new Map(observed.map((t) => [t.routeTableId, t.defaultRoute]));
  const onGateway = routeTables.every((id) => {
    const r = byId.get(id);
    return r?.state === 'active' && r.natGatewayId !== undefined;
  });
  return routeTables.length > 0 && onGateway ? 'gateway' : 'instance';
}
