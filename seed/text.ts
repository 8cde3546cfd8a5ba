import { Faker, base, en } from '@faker-js/faker';
import type { Random } from './random.js';

/** Tags the generator sprinkles over posts (as #tag in the text). */
export const TAGS = [
  'postgres', 'supabase', 'typescript', 'coffee', 'travel', 'music', 'photography', 'running', 'books', 'gamedev',
  'design', 'rust', 'opensource', 'cats', 'dogs', 'food', 'weekend', 'art', 'startups', 'ai',
  'hiking', 'cooking', 'football', 'movies', 'science', 'space', 'gardening', 'cycling', 'jazz', 'webdev',
] as const;

const POOL_SIZE = 4000;

/**
 * Sentences written by faker once per run (seeded), then combined by the fast generator: a
 * million posts cost a million array picks, not a million faker calls.
 */
export class TextPool {
  readonly faker: Faker;
  private readonly sentences: string[];

  constructor(seed: number) {
    this.faker = new Faker({ locale: [en, base] });
    this.faker.seed(seed);
    const f = this.faker;
    const makers = [
      () => f.hacker.phrase(),
      () => `${capitalize(f.company.buzzPhrase())}.`,
      () => `${capitalize(f.word.words({ count: { min: 4, max: 9 } }))}.`,
      () => `Just tried ${f.food.dish().toLowerCase()} in ${f.location.city()}.`,
      () => `Listening to ${f.music.songName()} by ${f.music.artist()}.`,
      () => `${f.commerce.productName()} is ${f.commerce.productAdjective().toLowerCase()}.`,
      () => `${capitalize(f.lorem.sentence({ min: 5, max: 12 }))}`,
    ];
    this.sentences = Array.from({ length: POOL_SIZE }, (_, i) => makers[i % makers.length]());
  }

  sentence(rng: Random): string {
    return rng.pick(this.sentences);
  }

  /** 1-3 sentences, at most `max` characters. */
  paragraph(rng: Random, max: number): string {
    const n = 1 + rng.int(3);
    let text = this.sentence(rng);
    for (let i = 1; i < n; i++) text += ` ${this.sentence(rng)}`;
    return text.length > max ? text.slice(0, max).trimEnd() : text;
  }
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
