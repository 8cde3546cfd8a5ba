import getPort from 'get-port';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { checkUnavailable } from '../../stack/realtime/rls.js';

// Which failed RLS checks say nothing about visibility (the change is streamed again) and which
// are the policy's own answer for that subscriber (the change is withheld from it).

const reported = (severity: string, code: string, message = 'x') => Object.assign(new pg.DatabaseError(message, 0, 'error'), { severity, code });

describe('an RLS check that failed', () => {
  it('could not run when no server answers', async () => {
    const client = new pg.Client({ host: '127.0.0.1', port: await getPort(), user: 'nobody', database: 'nobody' });
    const err = await client.connect().then(() => null, (e: unknown) => e);
    expect((err as { code?: string }).code).toBe('ECONNREFUSED');
    expect(checkUnavailable(err)).toBe(true);
    expect(checkUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(checkUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
  });

  it('could not run when Postgres ended the session or refused it', () => {
    expect(checkUnavailable(reported('FATAL', '57P01', 'terminating connection due to administrator command'))).toBe(true);
    expect(checkUnavailable(reported('FATAL', '57P02', 'terminating connection due to unexpected postmaster exit'))).toBe(true);
    expect(checkUnavailable(reported('FATAL', '57P03', 'the database system is starting up'))).toBe(true);
    expect(checkUnavailable(reported('FATAL', '53300', 'too many connections'))).toBe(true);
    expect(checkUnavailable(reported('ERROR', '08006'))).toBe(true);
  });

  it('is the policy’s answer when it raised, was refused or ran too long', () => {
    expect(checkUnavailable(reported('ERROR', 'P0001', 'policy fails'))).toBe(false);
    expect(checkUnavailable(reported('ERROR', '42501', 'permission denied for table t'))).toBe(false);
    expect(checkUnavailable(reported('ERROR', '57014', 'canceling statement due to statement timeout'))).toBe(false);
    expect(checkUnavailable(reported('ERROR', '22P02', 'invalid input syntax'))).toBe(false);
  });

  it('is withheld, not replayed, when the failure is not a lost connection (a replay would fail the same way and stall the stream)', () => {
    expect(checkUnavailable(new TypeError("Cannot read properties of undefined (reading 'rows')"))).toBe(false);
    expect(checkUnavailable(new Error('something else'))).toBe(false);
    expect(checkUnavailable(undefined)).toBe(false);
  });
});
