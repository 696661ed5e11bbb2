// One lab shared by the tests of a suite: built before the first, destroyed after the last.
import { afterAll, beforeAll } from '@jest/globals';
import { Lab, type LabOptions } from '../../lab/topology.js';

/** Bounds on a hung lab, not speed expectations: a busy 2-core machine builds slowly. */
const BUILD_MS = 120_000;
const DESTROY_MS = 60_000;

/** Builds the suite's lab in beforeAll and hands it to `set`; destroys it in afterAll. */
export function labPerSuite(opts: LabOptions, set: (lab: Lab) => void): void {
  let lab: Lab | undefined;
  beforeAll(async () => {
    lab = await Lab.create(opts);
    set(lab);
  }, BUILD_MS);
  afterAll(async () => {
    await lab?.destroy();
  }, DESTROY_MS);
}
