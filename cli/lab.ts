// `natfleet lab`: the options, then lab/command.ts.
import { parseArgs } from 'node:util';
import { labCommand, labHelp, LabUsageError } from '../lab/command.js';
import { UsageError, type Io } from './io.js';

export async function lab(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      zones: { type: 'string' },
      scenario: { type: 'string' },
      profile: { type: 'string' },
      runs: { type: 'string' },
      egress: { type: 'string' },
      keep: { type: 'boolean' },
      json: { type: 'boolean' },
      install: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: false,
    strict: true,
  });
  if (values.help) {
    io.out(labHelp);
    return 0;
  }
  try {
    return await labCommand(values, io);
  } catch (e) {
    if (e instanceof LabUsageError) throw new UsageError(e.message);
    throw e;
  }
}
