import { stack } from '../support/env.js';

/** Aggregates, spreads, self-reference hints and computed relationships, well and badly formed. */
export const AGGREGATE_GRAMMAR = [
  'amount.sum()', 'total:amount.sum(),order_date', 'amount::int.avg()::text', 'count(),customers(name)', 'name,orders(amount.sum(),order_date)',
  '...customers(id.max())', 'order_date,...customers(count())', '...orders(count())', '...replies(count)', 'title,...replies(id,body)',
  'replies!parent_id(*)', 'parent_id(*)', 'replies!replies_parent_id_fkey(*)', 'replies(*)', 'top_replies(*)', 'best_reply!inner(id)',
  'thread_post(title)', 'posts(title)', 'x.foo()', 'count()::', 'amount.sum(', '.sum()', 'id.count()::bad type', 'count().sum()',
  'sum()', 'amount.sum()::int[]', 'a:count()::"x"', '*,count()', 'details->tax::numeric.sum()', '...top_replies(count())', 'count',
  'amount.sum(),customers!inner(name)', 'id.max(),replies(id.min())', '...nope(count())', 'id.avg()->x', 'count,id',
  'details.sum()', 'title,top_replies(count(),score)', 'parent_id(id.count())', '...best_reply(score.sum()),title',
];

const TABLES = ['orders', 'customers', 'replies', 'posts', 'post_titles', 'reply_view', 'employees', 'rpc/projects_of'];

/** Every grammar entry on every fixture table: the answers that were a 5xx or not PostgREST's error body. */
export async function selectGrammarFailures(): Promise<string[]> {
  const info = stack();
  const failures: string[] = [];
  for (const table of TABLES) {
    for (const select of AGGREGATE_GRAMMAR) {
      const url = `${info.apiUrl}/rest/v1/${table}?select=${encodeURIComponent(select)}`;
      const res = await fetch(url, { headers: { apikey: info.anonKey, 'Accept-Profile': 'rest_test', Prefer: 'count=exact' } });
      const text = await res.text();
      if (res.status >= 500) failures.push(`${url} → ${res.status} ${text.slice(0, 300)}`);
      else if (res.status >= 400 && !/"code"/.test(text)) failures.push(`${url} → not PostgREST's error body: ${text.slice(0, 300)}`);
    }
  }
  return failures;
}
