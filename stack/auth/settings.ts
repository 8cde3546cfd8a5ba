import { readFileSync } from 'node:fs';
import path from 'node:path';
import { apiUrl, type StackConfig } from '../config/load.js';
import { StackError } from '../errors.js';
import { ident } from '../db/sql.js';
import { jwtKeys, type JwtKeys } from '../jwt/keys.js';

type Table = Record<string, unknown>;

export type EmailKind = 'confirmation' | 'recovery' | 'magic_link' | 'email_change' | 'invite' | 'reauthentication';

export interface EmailTemplate {
  subject: string;
  /** HTML with Go-template placeholders ({{ .ConfirmationURL }}, {{ .Token }}, ...). */
  content: string;
}

/** Per-IP request limits (GoTrue's tollbooth limiters): `rate` requests per `windowSeconds`, burst 30. */
export interface RequestLimit {
  rate: number;
  windowSeconds: number;
}

/** Everything /auth/v1 reads from config.toml's [auth] sections, with GoTrue's defaults. */
export interface AuthSettings {
  /** Request bodies past this many bytes get a 413 (config bodyLimits.auth). */
  maxBodyBytes: number;
  siteUrl: string;
  additionalRedirectUrls: string[];
  externalUrl: string;
  /** The stack's signing and verification keys (stack/jwt). */
  jwtKeys: JwtKeys;
  jwtExpiry: number;
  jwtIssuer: string;
  enableSignup: boolean;
  emailEnabled: boolean;
  /** !enable_confirmations: sign-ups are confirmed at once. */
  autoconfirm: boolean;
  secureEmailChange: boolean;
  securePasswordChange: boolean;
  otpExpiry: number;
  otpLength: number;
  maxFrequencySeconds: number;
  minPasswordLength: number;
  passwordRequirements: string;
  refreshTokenRotation: boolean;
  refreshTokenReuseInterval: number;
  anonymousSignIns: boolean;
  /** [auth.sessions]: seconds a session may live / stay unrefreshed; null = no limit. */
  sessionTimebox: number | null;
  sessionInactivityTimeout: number | null;
  limits: {
    /** Emails per hour across the project; null when not enforced (no [auth.email.smtp], as the CLI). */
    emailSent: number | null;
    /** anonymous_users: anonymous sign-ins per hour per IP. */
    anonymous: RequestLimit;
    /** sign_in_sign_ups (GoTrue's RATE_LIMIT_OTP): signup, recover, resend, otp, magiclink, PUT /user. */
    otp: RequestLimit;
    tokenRefresh: RequestLimit;
    verify: RequestLimit;
  };
  templates: Record<EmailKind, EmailTemplate>;
  mailFrom: string;
  external: Record<string, boolean>;
  /** [auth] enable_manual_linking: linkIdentity/unlinkIdentity are allowed. */
  manualLinking: boolean;
  /** [auth.mfa]: factor limit and the TOTP enroll/verify switches. */
  mfa: { maxEnrolledFactors: number; totp: { enroll: boolean; verify: boolean } };
  /** [auth.hook.*]: the enabled hooks, by GoTrue's hook name. */
  hooks: Partial<Record<HookName, HookConfig>>;
}

/** GoTrue's extensibility points, as config.toml names them under [auth.hook]. */
export type HookName = 'custom_access_token' | 'before_user_created' | 'mfa_verification_attempt' | 'password_verification_attempt' | 'send_sms' | 'send_email';

export interface HookConfig {
  uri: string;
  /** For pg-functions URIs: the function as `"schema"."name"` (GoTrue's HookName). */
  functionName: string;
}

const HOOK_NAMES: HookName[] = ['custom_access_token', 'before_user_created', 'mfa_verification_attempt', 'password_verification_attempt', 'send_sms', 'send_email'];
// Only the access token hook runs here; the others are refused at start rather than ignored.
const IMPLEMENTED_HOOKS: HookName[] = ['custom_access_token'];
const POSTGRES_NAME = /^[a-zA-Z_][a-zA-Z0-9_-]{0,62}$/;

/** ValidateExtensibilityPoint + PopulateExtensibilityPoint for the enabled [auth.hook.*] tables. */
function hooks(auth: Table): Partial<Record<HookName, HookConfig>> {
  const out: Partial<Record<HookName, HookConfig>> = {};
  const configured = table(auth, 'hook');
  for (const name of HOOK_NAMES) {
    const t = table(configured, name);
    if (t.enabled !== true) continue;
    const uri = typeof t.uri === 'string' ? t.uri : '';
    if (!IMPLEMENTED_HOOKS.includes(name)) throw new StackError(`[auth.hook.${name}] is not supported by this stack yet`);
    let u: URL;
    try {
      u = new URL(uri);
    } catch {
      throw new StackError(`[auth.hook.${name}] uri is not a URL: ${JSON.stringify(uri)}`);
    }
    if (u.protocol !== 'pg-functions:') {
      throw new StackError(`[auth.hook.${name}] uri: only pg-functions:// hooks are supported by this stack, got ${JSON.stringify(uri)}`);
    }
    const parts = u.pathname.split('/');
    if (parts.length < 3) throw new StackError(`[auth.hook.${name}] uri: URI path does not contain enough parts`);
    const [, schema, fn] = parts.map(decodeURIComponent);
    if (!POSTGRES_NAME.test(schema)) throw new StackError(`[auth.hook.${name}] uri: invalid schema name: ${schema}`);
    if (!POSTGRES_NAME.test(fn)) throw new StackError(`[auth.hook.${name}] uri: invalid table name: ${fn}`);
    out[name] = { uri, functionName: `${ident(schema)}.${ident(fn)}` };
  }
  return out;
}

const DEFAULT_TEMPLATES: Record<EmailKind, EmailTemplate> = {
  confirmation: {
    subject: 'Confirm Your Signup',
    content:
      '<h2>Confirm your signup</h2>\n\n<p>Follow this link to confirm your user:</p>\n<p><a href="{{ .ConfirmationURL }}">Confirm your mail</a></p>\n<p>Alternatively, enter the code: {{ .Token }}</p>\n',
  },
  recovery: {
    subject: 'Reset Your Password',
    content:
      '<h2>Reset Password</h2>\n\n<p>Follow this link to reset the password for your user:</p>\n<p><a href="{{ .ConfirmationURL }}">Reset Password</a></p>\n<p>Alternatively, enter the code: {{ .Token }}</p>\n',
  },
  magic_link: {
    subject: 'Your Magic Link',
    content:
      '<h2>Magic Link</h2>\n\n<p>Follow this link to login:</p>\n<p><a href="{{ .ConfirmationURL }}">Log In</a></p>\n<p>Alternatively, enter the code: {{ .Token }}</p>\n',
  },
  email_change: {
    subject: 'Confirm Email Change',
    content:
      '<h2>Confirm Change of Email</h2>\n\n<p>Follow this link to confirm the update of your email from {{ .Email }} to {{ .NewEmail }}:</p>\n<p><a href="{{ .ConfirmationURL }}">Change Email</a></p>\n<p>Alternatively, enter the code: {{ .Token }}</p>\n',
  },
  reauthentication: {
    subject: 'Confirm reauthentication',
    content: '<h2>Confirm reauthentication</h2>\n\n<p>Enter the code: {{ .Token }}</p>\n',
  },
  invite: {
    subject: 'You have been invited',
    content:
      '<h2>You have been invited</h2>\n\n<p>You have been invited to create a user on {{ .SiteURL }}. Follow this link to accept the invite:</p>\n<p><a href="{{ .ConfirmationURL }}">Accept the invite</a></p>\n<p>Alternatively, enter the code: {{ .Token }}</p>\n',
  },
};

function table(t: Table, key: string): Table {
  const v = t[key];
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Table) : {};
}

function num(v: unknown, dflt: number, name: string): number {
  if (v === undefined || v === null || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new StackError(`[auth] ${name} must be a non-negative number, got ${JSON.stringify(v)}`);
  return n;
}

function bool(v: unknown, dflt: boolean): boolean {
  return typeof v === 'boolean' ? v : dflt;
}

/** Go duration strings as config.toml uses them ("1s", "1m30s", "1h"); a bare number is seconds. */
export function parseGoDuration(value: string): number | null {
  const s = value.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  const units: Record<string, number> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    total += Number(m[1]) * units[m[2]];
    consumed = re.lastIndex;
  }
  return consumed === s.length && s.length > 0 ? total : null;
}

function templates(email: Table, rootDir: string): Record<EmailKind, EmailTemplate> {
  const configured = table(email, 'template');
  const out = { ...DEFAULT_TEMPLATES };
  for (const kind of Object.keys(DEFAULT_TEMPLATES) as EmailKind[]) {
    const t = table(configured, kind);
    const contentPath = typeof t.content_path === 'string' && t.content_path ? t.content_path : null;
    let content = out[kind].content;
    if (contentPath) {
      const file = path.resolve(rootDir, contentPath);
      try {
        content = readFileSync(file, 'utf8');
      } catch (err) {
        throw new StackError(`[auth.email.template.${kind}] content_path: cannot read ${file}: ${(err as Error).message}`);
      }
    }
    out[kind] = { subject: typeof t.subject === 'string' && t.subject ? t.subject : out[kind].subject, content };
  }
  return out;
}

export function loadAuthSettings(config: StackConfig): AuthSettings {
  const raw = config.raw;
  const auth = table(raw, 'auth');
  const email = table(auth, 'email');
  const rate = table(auth, 'rate_limit');
  const smtp = table(email, 'smtp');
  const localSmtp = Object.keys(table(raw, 'local_smtp')).length ? table(raw, 'local_smtp') : table(raw, 'inbucket');
  const maxFrequency = typeof email.max_frequency === 'string' ? parseGoDuration(email.max_frequency) : num(email.max_frequency, 60, 'email.max_frequency');
  if (maxFrequency === null) throw new StackError(`[auth.email] max_frequency is not a duration: ${JSON.stringify(email.max_frequency)}`);
  const sessions = table(auth, 'sessions');
  const sessionDuration = (key: string): number | null => {
    const v = sessions[key];
    if (v === undefined || v === null || v === '' || v === '0') return null;
    const seconds = typeof v === 'string' ? parseGoDuration(v) : Number(v);
    if (seconds === null || !Number.isFinite(seconds)) throw new StackError(`[auth.sessions] ${key} is not a duration: ${JSON.stringify(v)}`);
    return seconds > 0 ? seconds : null;
  };
  const external: Record<string, boolean> = {};
  for (const [name, provider] of Object.entries(table(auth, 'external'))) {
    if (provider && typeof provider === 'object') external[name] = (provider as Table).enabled === true;
  }
  const externalUrl = (typeof auth.external_url === 'string' && auth.external_url) || `${apiUrl(config)}/auth/v1`;
  const adminEmail = String(smtp.enabled === true ? smtp.admin_email ?? 'admin@email.com' : localSmtp.admin_email ?? 'admin@email.com');
  const senderName = String(smtp.enabled === true ? smtp.sender_name ?? '' : localSmtp.sender_name ?? '');
  return {
    siteUrl: typeof auth.site_url === 'string' && auth.site_url ? auth.site_url : 'http://127.0.0.1:3000',
    additionalRedirectUrls: Array.isArray(auth.additional_redirect_urls) ? auth.additional_redirect_urls.map(String) : [],
    externalUrl: externalUrl.replace(/\/+$/, ''),
    jwtKeys: jwtKeys(config),
    jwtExpiry: num(auth.jwt_expiry, 3600, 'jwt_expiry'),
    jwtIssuer: (typeof auth.jwt_issuer === 'string' && auth.jwt_issuer) || externalUrl.replace(/\/+$/, ''),
    enableSignup: bool(auth.enable_signup, true),
    emailEnabled: bool(email.enable_signup, true),
    autoconfirm: !bool(email.enable_confirmations, false),
    secureEmailChange: bool(email.double_confirm_changes, true),
    securePasswordChange: bool(email.secure_password_change, false),
    otpExpiry: num(email.otp_expiry, 3600, 'email.otp_expiry'),
    otpLength: num(email.otp_length, 6, 'email.otp_length'),
    maxFrequencySeconds: maxFrequency,
    minPasswordLength: Math.max(6, num(auth.minimum_password_length, 6, 'minimum_password_length')),
    passwordRequirements: typeof auth.password_requirements === 'string' ? auth.password_requirements : '',
    refreshTokenRotation: bool(auth.enable_refresh_token_rotation, true),
    refreshTokenReuseInterval: num(auth.refresh_token_reuse_interval, 10, 'refresh_token_reuse_interval'),
    anonymousSignIns: bool(auth.enable_anonymous_sign_ins, false),
    sessionTimebox: sessionDuration('timebox'),
    sessionInactivityTimeout: sessionDuration('inactivity_timeout'),
    limits: {
      emailSent: smtp.enabled === true ? num(rate.email_sent, 2, 'rate_limit.email_sent') : null,
      anonymous: { rate: num(rate.anonymous_users, 30, 'rate_limit.anonymous_users'), windowSeconds: 3600 },
      otp: { rate: num(rate.sign_in_sign_ups, 30, 'rate_limit.sign_in_sign_ups'), windowSeconds: 300 },
      tokenRefresh: { rate: num(rate.token_refresh, 150, 'rate_limit.token_refresh'), windowSeconds: 300 },
      verify: { rate: num(rate.token_verifications, 30, 'rate_limit.token_verifications'), windowSeconds: 300 },
    },
    templates: templates(email, config.rootDir),
    maxBodyBytes: config.bodyLimits.auth,
    mailFrom: senderName ? `"${senderName.replace(/"/g, '')}" <${adminEmail}>` : adminEmail,
    external,
    manualLinking: bool(auth.enable_manual_linking, false),
    mfa: {
      maxEnrolledFactors: num(table(auth, 'mfa').max_enrolled_factors, 10, 'mfa.max_enrolled_factors'),
      totp: { enroll: bool(table(table(auth, 'mfa'), 'totp').enroll_enabled, false), verify: bool(table(table(auth, 'mfa'), 'totp').verify_enabled, false) },
    },
    hooks: hooks(auth),
  };
}
