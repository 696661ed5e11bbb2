import { describe, expect, it } from '@jest/globals';
import { causeWithZones, MARK, zoneReasons } from '../../lib/workflows/report.js';

describe('the per-zone report', () => {
  it('writes the report last in the cause, after the mark', () => {
    const f = causeWithZones('Fallback incomplete at {}', ['$.zone'], '$.result.zones');
    expect(f).toBe(
      `States.Format('Fallback incomplete at {}; ${MARK}{}', $.zone, States.JsonToString($.result.zones))`,
    );
  });

  it('reads a list or an object of zones; a cause without a report gives none', () => {
    const list = [{ zone: 'a', why: 'moved' }, { zone: 'b', why: 'blocked' }, { zone: 'c' }];
    const cause = `Failover incomplete; ${MARK}${JSON.stringify(list)}`;
    expect(zoneReasons({ status: 'FAILED', cause })).toEqual({ a: 'moved', b: 'blocked' });
    const keyed = { a: list[0], b: list[1] };
    expect(zoneReasons({ status: 'FAILED', cause: `x; ${MARK}${JSON.stringify(keyed)}` })).toEqual({
      a: 'moved',
      b: 'blocked',
    });
    expect(zoneReasons({ status: 'FAILED', cause: 'States.Timeout' })).toEqual({});
    expect(zoneReasons({ status: 'FAILED', cause: `${MARK}{"a": {"zone": "a"` })).toEqual({});
  });

  it('skips a mark quoted in the text before the report', () => {
    const quoted = `stopped at a: Ec2.X: the message says ${MARK}nothing; the zone is on nat-1`;
    const cause = `${quoted}; ${MARK}${JSON.stringify({ a: { zone: 'a', why: 'w' } })}`;
    expect(zoneReasons({ status: 'FAILED', cause })).toEqual({ a: 'w' });
  });
});
