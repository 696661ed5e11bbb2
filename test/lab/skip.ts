// Lab tests need root and the datapath tools. Without them they skip and say why, except
// when NATFLEET_LAB_REQUIRED=1 (CI): then a missing prerequisite is a failure.
import { describe } from '@jest/globals';
import { hasTool, labUnavailable } from '../../lab/topology.js';

/** `tools`: what this suite needs beyond the lab's own prerequisites, as [command, package]. */
export function describeLab(name: string, body: () => void, tools: [string, string][] = []): void {
  const missing = tools.find(([t]) => !hasTool(t));
  const why =
    labUnavailable() ??
    (missing && `${missing[0]} is not installed (apt-get install ${missing[1]})`);
  if (why && process.env.NATFLEET_LAB_REQUIRED === '1')
    throw new Error(`NATFLEET_LAB_REQUIRED=1 but ${why}`);
  if (why) {
    console.warn(`lab tests "${name}" skipped: ${why}`);
    describe.skip(name, body);
  } else describe(name, body);
}
