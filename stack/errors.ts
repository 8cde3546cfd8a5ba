/**
 * An error the stack reports to the person running it as one clear line (bad config, port in
 * use, a broken migration...). Anything else is a bug and keeps its stack trace.
 */
export class StackError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = 'StackError';
  }
}

/**
 * A message fit for a client: absolute filesystem paths (the Postgres socket, the data folder)
 * are cut out, since where the database lives is nobody's business but the operator's.
 */
export function withoutPaths(message: string): string {
  return message.replace(/(^|[\s"'(=])\/[^\s"')]*/g, '$1<path>');
}
