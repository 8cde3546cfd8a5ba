import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../../stack/config/load.js';

const BIN = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'supabase');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real Supabase CLI (npm `supabase`, pinned) with telemetry and the update check off
 * and a throwaway HOME, so it talks to nothing but our loopback database.
 */
export function supabaseCli(args: string[], workdir = PROJECT_ROOT): Promise<CliResult> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'agora-cli-home-'));
  return new Promise((resolve) => {
    execFile(
      BIN,
      [...args, '--workdir', workdir],
      {
        env: { PATH: process.env.PATH, HOME: home, SUPABASE_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1', SUPABASE_NO_UPDATE_NOTIFIER: '1' },
        timeout: 120_000,
      },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
