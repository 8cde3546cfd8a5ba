import type { IncomingHttpHeaders } from 'node:http';

/** What reading a request's headers needs: a Web `Headers` is one, and so is `nodeHeaders(...)`. */
export interface HeaderSource {
  get(name: string): string | null;
}

/** Node's parsed headers (names lowercased, repeats already joined with ", ") read as a `Headers` reads. */
export function nodeHeaders(headers: IncomingHttpHeaders): HeaderSource {
  return {
    get(name) {
      const value = headers[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
  };
}
