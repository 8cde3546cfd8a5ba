// The gateway's components, named by the first path segment (`/rest/v1/posts` -> `rest`).
// Metrics are labelled with these names only, so a client hitting random paths cannot create
// unbounded label values.
const KNOWN = new Set(['rest', 'auth', 'storage', 'realtime', 'functions', 'graphql', 'docs', 'health', 'metrics', 'inbox']);

export function componentOf(path: string): string {
  const first = path.split('/', 2)[1] ?? '';
  return KNOWN.has(first) ? first : 'other';
}
