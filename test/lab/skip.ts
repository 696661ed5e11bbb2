// Lab tests need root and the datapath tools. Without them they skip and say why, except
// when NATFLEET_LAB_REQUIRED=1 (CI): then a missing prerequisite is a failure.
import { describe } from '@jest/globals';
import { labUnavailable } from '../../lab/topology.js';

export function describeLab(name: string, body: () => void): void {
  const why = labUnavailable();
  if (why && process.env.NATFLEET_LAB_REQUIRED === '1')
    throw new Error(`NATFLEET_LAB_REQUIRED=1 but ${why}`);
  if (why) {
    console.warn(`lab tests "${name}" skipped: ${why}`);
    describe.skip(name, body);
  } else describe(name, body);
}
