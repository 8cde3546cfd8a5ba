/**
 * Agora's password policy, checked before a reset token is spent (so a refused password does
 * not burn the link). Stricter than Auth's own minimum, which still applies afterwards.
 */
export function passwordProblems(password: string): string[] {
  const problems: string[] = [];
  if ([...password].length < 8) problems.push('at least 8 characters');
  if (new TextEncoder().encode(password).length > 72) problems.push('at most 72 bytes');
  if (!/\p{L}/u.test(password)) problems.push('a letter');
  if (!/\p{N}/u.test(password)) problems.push('a digit');
  if (/^\s|\s$/.test(password)) problems.push('no leading or trailing spaces');
  return problems;
}
