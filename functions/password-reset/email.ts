import type { Notification } from '../_shared/notify.ts';

/** `<site_url>/reset-password?token=<token>`: the page of the app that finishes the reset. */
export function resetLink(siteUrl: string, token: string): string {
  const url = new URL('reset-password', siteUrl.endsWith('/') ? siteUrl : `${siteUrl}/`);
  url.searchParams.set('token', token);
  return url.toString();
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function resetEmail(to: string, link: string, validMinutes: number): Notification {
  return {
    kind: 'password_reset',
    to,
    subject: 'Reset your Agora password',
    text: `Someone asked to reset the password of your Agora account.\n\nChoose a new password here (the link works once, for ${validMinutes} minutes):\n${link}\n\nIf it was not you, ignore this email: your password stays as it is.\n`,
    html: `<h2>Reset your password</h2>
<p>Someone asked to reset the password of your Agora account.</p>
<p><a href="${escapeHtml(link)}">Choose a new password</a> (the link works once, for ${validMinutes} minutes).</p>
<p>If it was not you, ignore this email: your password stays as it is.</p>`,
  };
}
