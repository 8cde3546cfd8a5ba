import { StackError } from '../errors.js';

/** Ends a command: a StackError is one clear line for a person; anything else is a bug with its trace. */
export function fail(err: unknown): never {
  if (err instanceof StackError) {
    process.stderr.write(`error: ${err.message}\n${err.hint ? `hint: ${err.hint}\n` : ''}`);
  } else {
    process.stderr.write(`error: ${(err as Error)?.stack ?? String(err)}\n`);
  }
  process.exit(1);
}
