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
