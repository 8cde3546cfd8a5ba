import type { AuthSettings } from './settings.js';

/** An allow-list pattern as GoTrue compiles it: `*` stays within a host label or path segment, `**` crosses them. */
function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        re += '.*';
        i++;
      } else re += '[^./]*';
    } else if (ch === '?') re += '[^./]';
    else re += ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * GoTrue's IsRedirectURLValid: an absolute URL on the site URL's host, or one matching an entry
 * of additional_redirect_urls (exactly or as a glob).
 */
export function isRedirectAllowed(settings: AuthSettings, target: string): boolean {
  if (!target) return false;
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return false;
  }
  try {
    if (new URL(settings.siteUrl).hostname === url.hostname) return true;
  } catch {
    // a malformed site_url allows nothing by host
  }
  return settings.additionalRedirectUrls.some((allowed) => allowed === target || globToRegExp(allowed).test(target));
}

/** GoTrue's GetReferrer: redirect_to when allowed, else the Referer when allowed, else site_url. */
export function referrer(settings: AuthSettings, redirectTo: string | undefined | null, refererHeader?: string | null): string {
  if (redirectTo && isRedirectAllowed(settings, redirectTo)) return redirectTo;
  if (!redirectTo && refererHeader && isRedirectAllowed(settings, refererHeader)) return refererHeader;
  return settings.siteUrl;
}
