import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../stack/config/load.js';
import { renderTemplate } from '../../stack/auth/mailer.js';
import { checkPasswordStrength } from '../../stack/auth/password.js';
import { isRedirectAllowed, referrer } from '../../stack/auth/redirect.js';
import { loadAuthSettings, parseGoDuration, type AuthSettings } from '../../stack/auth/settings.js';

function projectWith(toml: string, files: Record<string, string> = {}) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'agora-auth-config-'));
  mkdirSync(path.join(root, 'supabase'), { recursive: true });
  writeFileSync(path.join(root, 'supabase', 'config.toml'), toml);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), content);
  }
  return loadAuthSettings(loadConfig({ rootDir: root, apiPort: 54999 }, {}));
}

describe('auth settings from config.toml', () => {
  it("uses GoTrue's defaults when [auth] says nothing", () => {
    const s = projectWith('project_id = "x"\n');
    expect(s).toMatchObject({
      siteUrl: 'http://127.0.0.1:3000',
      jwtExpiry: 3600,
      jwtIssuer: 'http://127.0.0.1:54999/auth/v1',
      autoconfirm: true,
      minPasswordLength: 6,
      refreshTokenReuseInterval: 10,
      limits: { emailSent: null, otp: { rate: 30, windowSeconds: 300 }, tokenRefresh: { rate: 150, windowSeconds: 300 } },
    });
    expect(s.templates.recovery.subject).toBe('Reset Your Password');
  });

  it('reads [auth], [auth.email], [auth.rate_limit] and templates', () => {
    const s = projectWith(
      `[auth]
site_url = "https://app.example.com"
additional_redirect_urls = ["https://*.example.com/**"]
jwt_expiry = 600
minimum_password_length = 10
password_requirements = "lower_upper_letters_digits"
[auth.rate_limit]
email_sent = 7
sign_in_sign_ups = 12
[auth.email]
enable_confirmations = true
max_frequency = "1m30s"
otp_expiry = 120
[auth.email.smtp]
enabled = true
host = "127.0.0.1"
port = 2525
admin_email = "noreply@example.com"
sender_name = "Agora"
[auth.email.template.recovery]
subject = "Reset your Agora password"
content_path = "./supabase/templates/recovery.html"
`,
      { 'supabase/templates/recovery.html': '<a href="{{ .ConfirmationURL }}">reset</a> {{ .Token }}' },
    );
    expect(s).toMatchObject({
      siteUrl: 'https://app.example.com',
      jwtExpiry: 600,
      autoconfirm: false,
      otpExpiry: 120,
      maxFrequencySeconds: 90,
      minPasswordLength: 10,
      limits: { emailSent: 7, otp: { rate: 12 } },
      mailFrom: '"Agora" <noreply@example.com>',
    });
    expect(s.templates.recovery).toEqual({ subject: 'Reset your Agora password', content: '<a href="{{ .ConfirmationURL }}">reset</a> {{ .Token }}' });
  });

  it('a template file that cannot be read stops the stack with one clear line', () => {
    expect(() => projectWith('[auth.email.template.invite]\ncontent_path = "./missing.html"\n')).toThrow(/\[auth\.email\.template\.invite\] content_path: cannot read/);
  });

  it('parses Go durations', () => {
    expect(parseGoDuration('1s')).toBe(1);
    expect(parseGoDuration('1h30m')).toBe(5400);
    expect(parseGoDuration('250ms')).toBe(0.25);
    expect(parseGoDuration('forever')).toBeNull();
  });
});

describe('password rules', () => {
  const base = projectWith('[auth]\nminimum_password_length = 8\npassword_requirements = "lower_upper_letters_digits_symbols"\n');

  it('names every failed rule', () => {
    const err = checkPasswordStrength('abc', base)!;
    expect(err.status).toBe(422);
    expect(err.extra).toEqual({ weak_password: { reasons: ['length', 'characters'] } });
    expect(err.message).toMatch(/^Password should be at least 8 characters\. Password should contain at least one character of each: abcdefghijklmnopqrstuvwxyz, ABCDEFGHIJKLMNOPQRSTUVWXYZ, 0123456789, /);
  });

  it('accepts a password meeting them and refuses one longer than 72 characters', () => {
    expect(checkPasswordStrength('Abcdef1!', base)).toBeNull();
    const long = checkPasswordStrength(`Aa1!${'x'.repeat(70)}`, base);
    expect([long?.status, long?.errorCode]).toEqual([400, 'validation_failed']);
  });

  it('counts the minimum length in bytes, as Go does', () => {
    // 7 characters, 10 bytes: long enough for minimum_password_length = 8.
    expect(checkPasswordStrength('\u00e9\u00e9\u00e9Aa1!', base)).toBeNull();
  });
});

describe('redirect allow-list', () => {
  const s = { siteUrl: 'https://app.example.com', additionalRedirectUrls: ['https://*.preview.example.com/**', 'myapp://callback'] } as AuthSettings;

  it('allows the site host, exact entries and globs; nothing else', () => {
    expect(isRedirectAllowed(s, 'https://app.example.com/any/path?x=1')).toBe(true);
    expect(isRedirectAllowed(s, 'https://pr-12.preview.example.com/auth/done')).toBe(true);
    expect(isRedirectAllowed(s, 'https://a.b.preview.example.com/')).toBe(false);
    expect(isRedirectAllowed(s, 'myapp://callback')).toBe(true);
    expect(isRedirectAllowed(s, 'https://evil.com/?next=https://app.example.com')).toBe(false);
    expect(isRedirectAllowed(s, 'not a url')).toBe(false);
  });

  it('falls back to site_url', () => {
    expect(referrer(s, 'https://evil.com')).toBe('https://app.example.com');
    expect(referrer(s, null, 'https://app.example.com/from')).toBe('https://app.example.com/from');
  });
});

describe('mail templates', () => {
  it("fills GoTrue's variables, escaping them, and reads .Data keys", () => {
    const html = renderTemplate('<a href="{{ .ConfirmationURL }}">go</a> {{ .Token }} {{.Data.name}} {{ .Unknown }}', { ConfirmationURL: 'https://x/verify?a=1&b=2', Token: '123456' }, { name: '<Ann>' });
    expect(html).toBe('<a href="https://x/verify?a=1&amp;b=2">go</a> 123456 &lt;Ann&gt; {{ .Unknown }}');
  });
});

// supabase/cli pkg/config/auth.go (hook and MFA keys) and supabase/auth internal/conf/configuration.go
// (ValidateExtensibilityPoint, PopulateExtensibilityPoint: HookName is "schema"."function").
describe('[auth.hook] and [auth.mfa] from config.toml', () => {
  it('an enabled pg-functions access token hook names its function; MFA limits and switches are read', () => {
    const s = projectWith(`[auth.hook.custom_access_token]
enabled = true
uri = "pg-functions://postgres/public/custom_access_token_hook"

[auth.hook.send_sms]
enabled = false
uri = "https://example.com/unused"

[auth.mfa]
max_enrolled_factors = 3
[auth.mfa.totp]
enroll_enabled = true
verify_enabled = false
`);
    expect(s.hooks).toEqual({
      custom_access_token: { uri: 'pg-functions://postgres/public/custom_access_token_hook', functionName: '"public"."custom_access_token_hook"' },
    });
    expect(s.mfa).toEqual({ maxEnrolledFactors: 3, totp: { enroll: true, verify: false } });
  });

  it('MFA defaults as the CLI passes them when config.toml is silent: 10 factors, TOTP off', () => {
    expect(projectWith('project_id = "x"\n').mfa).toEqual({ maxEnrolledFactors: 10, totp: { enroll: false, verify: false } });
  });

  it('refuses a hook URI it cannot run rather than ignoring it', () => {
    const hook = (uri: string) => `[auth.hook.custom_access_token]\nenabled = true\nuri = "${uri}"\n`;
    expect(() => projectWith(hook('pg-functions://postgres/public'))).toThrow(/URI path does not contain enough parts/);
    expect(() => projectWith(hook('pg-functions://postgres/pub lic/fn'))).toThrow(/invalid schema name/);
    expect(() => projectWith(hook('https://hooks.example.com/token'))).toThrow(/only pg-functions/);
    expect(() => projectWith('[auth.hook.before_user_created]\nenabled = true\nuri = "pg-functions://postgres/public/f"\n')).toThrow(/not supported/);
  });
});
