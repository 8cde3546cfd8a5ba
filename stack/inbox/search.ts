import type { StoredMessage } from './store.js';

/**
 * A subset of Mailpit's search syntax: space-separated terms, each either `to:`, `from:`,
 * `subject:`, `is:read` / `is:unread`, or plain words matched against subject, addresses and
 * body. A leading `-` negates a term. Quoted values keep their spaces.
 */
export function matches(message: StoredMessage, query: string): boolean {
  const terms = query.match(/-?(?:\w+:)?(?:"[^"]*"|\S+)/g) ?? [];
  return terms.every((raw) => {
    const negate = raw.startsWith('-');
    const term = negate ? raw.slice(1) : raw;
    const m = /^(\w+):(.*)$/.exec(term);
    const [field, value] = m ? [m[1].toLowerCase(), unquote(m[2])] : ['', unquote(term)];
    const hit = test(message, field, value.toLowerCase());
    return negate ? !hit : hit;
  });
}

function unquote(s: string): string {
  return s.startsWith('"') && s.endsWith('"') && s.length >= 2 ? s.slice(1, -1) : s;
}

function test(message: StoredMessage, field: string, value: string): boolean {
  const addr = (list: { Name: string; Address: string }[]) =>
    list.some((a) => a.Address.toLowerCase().includes(value) || a.Name.toLowerCase().includes(value));
  switch (field) {
    case 'to':
      return addr([...message.To, ...message.Cc, ...message.Bcc]);
    case 'from':
      return addr(message.From ? [message.From] : []);
    case 'subject':
      return message.Subject.toLowerCase().includes(value);
    case 'is':
      return value === 'read' ? message.Read : value === 'unread' ? !message.Read : false;
    default:
      return (
        message.Subject.toLowerCase().includes(value) ||
        addr([...(message.From ? [message.From] : []), ...message.To, ...message.Cc]) ||
        message.Text.toLowerCase().includes(value)
      );
  }
}
