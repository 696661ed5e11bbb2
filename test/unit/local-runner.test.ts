import { expect, it } from '@jest/globals';

const P = Promise as unknown as { withResolvers?: unknown };

it('changes nothing on import; the runner installs what it needs when built, and runs', async () => {
  const native = P.withResolvers;
  const { LocalStepFunctions } = await import('../../lab/stepfunctions/local.js');
  expect(P.withResolvers).toBe(native);
  const sf = new LocalStepFunctions({ clients: {} });
  expect(typeof P.withResolvers).toBe('function');
  if (native) expect(P.withResolvers).toBe(native);
  const arn = sf.register('natfleet-unit-Pass', {
    Comment: 'one Pass state',
    StartAt: 'Echo',
    States: { Echo: { Type: 'Pass', Parameters: { 'got.$': '$.x' }, End: true } },
  });
  expect(await sf.start(arn, { x: 1 }, 'one').result).toEqual({
    status: 'SUCCEEDED',
    output: { got: 1 },
  });
});
