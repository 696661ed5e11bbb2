// Where CLI output goes; tests pass their own.
import { logSafe } from '../lib/log-safe.js';

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

// The runner reads commands from stdout and stderr alike: no line may become one.
export const processIo: Io = {
  out: (line) => process.stdout.write(logSafe(line) + '\n'),
  err: (line) => process.stderr.write(logSafe(line) + '\n'),
};

/** A mistake in how the command was called (exit 2), as opposed to a failed operation (exit 1). */
export class UsageError extends Error {}
