import { timingSafeEqual } from 'node:crypto';
import { bcryptPool as bcrypt } from './bcrypt-pool.js';
import { AuthError, weakPassword } from './errors.js';
import type { AuthSettings } from './settings.js';

/** GoTrue hashes with Go's bcrypt.DefaultCost. */
export const BCRYPT_COST = 10;
/** bcrypt ignores bytes past 72; GoTrue refuses longer passwords instead. */
const MAX_PASSWORD_LENGTH = 72;

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
const SYMBOLS = "!@#$%^&*()_+-=[]{};'\\:\"|<>?,./`~";

/** The CLI's password_requirements values, as the character sets GoTrue then requires. */
export function requiredCharacterSets(requirement: string): string[] {
  switch (requirement) {
    case 'letters_digits':
      return [LOWER + UPPER, DIGITS];
    case 'lower_upper_letters_digits':
      return [LOWER, UPPER, DIGITS];
    case 'lower_upper_letters_digits_symbols':
      return [LOWER, UPPER, DIGITS, SYMBOLS];
    default:
      return [];
  }
}

/** Go's bcrypt writes the $2a$ prefix; bcryptjs would write $2b$ (same algorithm). */
export async function hashPassword(password: string, cost = BCRYPT_COST): Promise<string> {
  const salt = (await bcrypt.genSalt(cost)).replace(/^\$2b\$/, '$2a$');
  return bcrypt.hash(password, salt);
}

// A fixed hash compared against when a user has none, so an unknown email costs the same time
// as a wrong password.
let decoy: Promise<string> | undefined;

export async function verifyPassword(password: string, hash: string | null): Promise<boolean> {
  if (!hash || !/^\$2[aby]\$\d\d\$/.test(hash)) {
    decoy ??= hashPassword('agora-decoy-password');
    await bcrypt.compare(password, await decoy);
    return false;
  }
  return bcrypt.compare(password, hash);
}

export function bcryptCost(hash: string): number | null {
  const m = /^\$2[aby]\$(\d\d)\$/.exec(hash);
  return m ? Number(m[1]) : null;
}

/** Constant-time string equality (for token hashes compared outside the database). */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** GoTrue's checkPasswordStrength: minimum length and required character classes. */
export function checkPasswordStrength(password: string, settings: AuthSettings): AuthError | null {
  // bcrypt reads 72 bytes, not characters: a longer password would share its hash with others.
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_LENGTH) {
    return new AuthError(400, 'validation_failed', `Password cannot be longer than ${MAX_PASSWORD_LENGTH} characters`);
  }
  const messages: string[] = [];
  const reasons: string[] = [];
  // Go's len() counts bytes, so "ééé" is six long to GoTrue.
  if (Buffer.byteLength(password, 'utf8') < settings.minPasswordLength) {
    reasons.push('length');
    messages.push(`Password should be at least ${settings.minPasswordLength} characters.`);
  }
  const sets = requiredCharacterSets(settings.passwordRequirements);
  if (sets.some((set) => ![...password].some((ch) => set.includes(ch)))) {
    reasons.push('characters');
    messages.push(`Password should contain at least one character of each: ${sets.join(', ')}.`);
  }
  return reasons.length ? weakPassword(messages.join(' '), reasons) : null;
}
