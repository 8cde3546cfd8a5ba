/**
 * "Perhaps you meant" suggestions chosen the way PostgREST's fuzzy set chooses them: the word and
 * the candidates lower-cased and stripped to letters, digits, spaces and commas; candidates whose
 * n-gram vectors (trigrams, else bigrams) have a cosine similarity of at least `minScore` with the
 * word's, the closest by Levenshtein distance first. An exact match is taken as it is.
 */

const normalize = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}\s,]/gu, '');

function grams(s: string, n: number): Map<string, number> {
  const padded = `-${s}-`.padEnd(n, '-');
  const out = new Map<string, number>();
  for (let i = 0; i + n <= padded.length; i++) {
    const g = padded.slice(i, i + n);
    out.set(g, (out.get(g) ?? 0) + 1);
  }
  return out;
}

function cosine(a: Map<string, number>, b: Map<string, number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [g, x] of a) (na += x * x), (dot += x * (b.get(g) ?? 0));
  for (const x of b.values()) nb += x * x;
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

const similarity = (a: string, b: string) => (a.length || b.length ? 1 - levenshtein(a, b) / Math.max(a.length, b.length) : 1);

/** The candidate closest to `word`, or null when none is similar enough. */
export function closestMatch(word: string, candidates: Iterable<string>, minScore: number): string | null {
  const key = word.toLowerCase();
  const list = [...candidates];
  const exact = list.find((c) => c.toLowerCase() === key);
  if (exact !== undefined) return exact;
  const wanted = normalize(word);
  for (const n of [3, 2]) {
    const mine = grams(wanted, n);
    let best: string | null = null;
    let bestDistance = -1;
    for (const c of list) {
      const theirs = normalize(c);
      if (cosine(mine, grams(theirs, n)) < minScore) continue;
      const d = similarity(wanted, theirs);
      if (d > bestDistance) (bestDistance = d), (best = c);
    }
    if (best !== null) return best;
  }
  return null;
}
