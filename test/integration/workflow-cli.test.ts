// The workflow verbs' command line: options, help and refusals happen before any AWS call
// (AWS_ENDPOINT_URL points nowhere here, so a call would fail differently).
import { describe, expect, it } from '@jest/globals';
import { run } from '../../cli/run.js';
import { EXAMPLE, captureIo } from '../helpers.js';

async function natfleet(...args: string[]) {
  const io = captureIo();
  const saved = process.env.AWS_ENDPOINT_URL;
  process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9';
  try {
    const code = await run(args, io, {});
    return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
  } finally {
    if (saved === undefined) delete process.env.AWS_ENDPOINT_URL;
    else process.env.AWS_ENDPOINT_URL = saved;
  }
}

describe('natfleet failover|fallback|replace|maintenance', () => {
  it('are listed and each has its help', async () => {
    const main = (await natfleet('--help')).out;
    for (const verb of ['failover', 'fallback', 'replace', 'maintenance']) {
      expect(main).toMatch(new RegExp(`^  ${verb}\\b`, 'm'));
      const h = await natfleet(verb, '--help');
      expect(h.code).toBe(0);
      expect(h.out).toContain(
        `Usage: natfleet ${verb} --env NAME --reason TEXT ${verb === 'failover' ? '[--hold] ' : ''}[--zones a,b]`,
      );
    }
  });

  it('refuse a call without --env or --reason, or with an unknown zone or option (exit 2)', async () => {
    const cases: [string[], string][] = [
      [
        ['failover', '--reason', 'x', '--config', EXAMPLE],
        'natfleet: failover: --env NAME is required',
      ],
      [
        ['replace', '--env', 'prod', '--config', EXAMPLE],
        'natfleet: replace: --reason TEXT is required',
      ],
      [
        [
          'fallback',
          '--env',
          'prod',
          '--reason',
          'x',
          '--zones',
          'eu-west-1a,mars-1a',
          '--config',
          EXAMPLE,
        ],
        'natfleet: fallback: zones: mars-1a is not a zone of prod; expected some of eu-west-1a, eu-west-1b, eu-west-1c',
      ],
      ...['', ' ', ',', ' , '].map((zones): [string[], string] => [
        ['replace', '--env', 'prod', '--reason', 'x', '--zones', zones, '--config', EXAMPLE],
        `natfleet: replace: zones: expected zone names separated by commas, got "${zones}" (leave --zones out for every zone)`,
      ]),
      [
        ['maintenance', '--env', 'prod', '--reason', 'x', '--out', 'd'],
        'natfleet: maintenance: unknown option --out',
      ],
    ];
    for (const [args, message] of cases) {
      const r = await natfleet(...args);
      expect({ code: r.code, err: r.err, out: r.out }).toEqual({ code: 2, err: message, out: '' });
    }
  });
});
