/** The verdict on one TAP stream: what pgTAP printed, counted the way `prove` counts it. */
export interface TapResult {
  planned: number | null;
  passed: number;
  failed: number;
  failures: string[];
  ok: boolean;
}

export function parseTap(lines: string[]): TapResult {
  let planned: number | null = null;
  let passed = 0;
  let failed = 0;
  const failures: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const plan = /^1\.\.(\d+)/.exec(line);
    if (plan) {
      planned = Number(plan[1]);
      continue;
    }
    if (/^ok \d+/.test(line)) {
      passed++;
    } else if (/^not ok \d+/.test(line)) {
      if (/#\s*TODO/i.test(line)) {
        passed++;
        continue;
      }
      failed++;
      const diag: string[] = [line];
      while (i + 1 < lines.length && lines[i + 1].startsWith('#')) diag.push(lines[++i]);
      failures.push(diag.join('\n'));
    }
  }
  const planOk = planned !== null && planned === passed + failed;
  if (!planOk) failures.push(`# plan mismatch: planned ${planned ?? 'no plan'}, ran ${passed + failed}`);
  return { planned, passed, failed, failures, ok: failed === 0 && planOk };
}
