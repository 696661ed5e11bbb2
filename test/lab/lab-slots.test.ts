// A zone's two NAT slots (an old and a new instance side by side, as during a rolling
// replacement) and the image pipeline's test instance, in network namespaces.
import { expect, it, jest } from '@jest/globals';
import type { Lab } from '../../lab/topology.js';
import { must } from '../../lab/exec.js';
import { describeLab } from './skip.js';
import { labPerSuite } from './suite.js';

// A bound on a hung lab, not a speed expectation.
jest.setTimeout(180_000);

describeLab('two NAT slots per zone and the image test instance', () => {
  let lab: Lab;
  labPerSuite({ zones: 1 }, (l) => (lab = l));

  it('runs a second instance beside the first, each translating to its own address', async () => {
    for (const z of lab.zones) {
      const second = lab.slot(z.name, 1);
      expect(second.nat).not.toBe(z.nat);
      expect(second.natPublic).not.toBe(z.natPublic);
      expect((await lab.launchNat(z.name, { slot: 1 })).code).toBe(0);
      await lab.routeVia(z.name, 'nat', 1);
      expect(await lab.whoami(z.name)).toBe(second.natPublic);
      expect((await lab.testNat(z.name, 1)).code).toBe(0);
      // The first is still up: the route moves back and forth without a boot.
      await lab.routeVia(z.name, 'nat', 0);
      expect(await lab.whoami(z.name)).toBe(z.natPublic);
    }
  });

  it('breaks and removes one slot without touching the other', async () => {
    await lab.flushNat('a', 1);
    await lab.routeVia('a', 'nat', 1);
    // Forwarded untranslated: the internet cannot answer the private address.
    expect(await lab.whoami('a', 1)).toBeUndefined();
    await lab.killNat('a', 1);
    await lab.routeVia('a', 'nat', 0);
    expect(await lab.whoami('a')).toBe(lab.zone('a').natPublic);
    expect(() => lab.slot('a', 2)).toThrow('zone a: slot 2: expected 0 to 1');
  });

  it("tests an image as the pipeline's test phase does, and fails one broken before test-nat", async () => {
    const good = await lab.testImage(lab.defaultImage);
    expect(good.boot.code).toBe(0);
    expect(good.test.stdout).toContain('test-nat: all checks passed');
    const bad = await lab.testImage(lab.defaultImage, async (ns) => {
      await must(['ip', 'netns', 'exec', ns, 'nft', 'flush', 'ruleset']);
    });
    expect(bad.test.code).toBe(1);
    expect(bad.test.stdout).toMatch(/^FAIL: nftables has no natfleet masquerade rule/m);
    // Nothing of the test instance is left, and the zones still work.
    const left = (await must(['ip', 'netns', 'list'])).split('\n').filter((l) => l.includes('img'));
    expect(left).toEqual([]);
    expect(await lab.whoami('a')).toBe(lab.zone('a').natPublic);
  });
});
