// The one status read of a NAT instance that Fallback and ReplaceInstances share: its status
// checks, then whether it runs with both checks ok.
import type { States } from './asl.js';
import { task } from './asl.js';
import { firstIs } from './common.js';

/** A running instance whose instance and system status checks pass. */
export const READY = {
  'InstanceState.Name': 'running',
  'InstanceStatus.Status': 'ok',
  'SystemStatus.Status': 'ok',
};

/**
 * `status` reads the instance at `idPath` into $.status.s (IncludeAllInstances: a pending or
 * stopped instance answers too); `verdict` goes to `ready` when it is READY, else to `notReady`.
 * A failed read goes to `onError` with $.error set.
 */
export function instanceStatus(
  names: { status: string; verdict: string },
  idPath: string,
  ready: string,
  notReady: string,
  onError: string,
): States {
  return {
    [names.status]: task(
      'ec2',
      'describeInstanceStatus',
      { 'InstanceIds.$': `States.Array(${idPath})`, IncludeAllInstances: true },
      names.verdict,
      { ResultSelector: { 's.$': '$.InstanceStatuses' }, ResultPath: '$.status', onError },
    ),
    ...firstIs(names.verdict, '$.status.s', READY, ready, notReady),
  };
}
