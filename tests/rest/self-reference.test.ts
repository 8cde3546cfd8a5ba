import { beforeAll, describe, expect, test } from 'vitest';
import { client, loadFixture, rest } from './support.js';

// PostgREST's rules for a table referencing itself (Plan.findRel and its EmbedDisambiguationSpec):
// the table's name embeds the referencing rows (one-to-many), the foreign key column embeds the
// referenced row (many-to-one), and a hint names the referencing column of the one-to-many side.
beforeAll(loadFixture);
const db = () => client();

describe('self-referencing relationships', () => {
  test('the table\'s own name embeds the rows that reference this one (one-to-many)', async () => {
    // employees has one self-reference (manager_id)
    const { data } = await db().from('employees').select('name, employees(name)').eq('id', 1);
    expect(data).toEqual([{ name: 'Boss', employees: [{ name: 'Worker' }] }]);
  });

  test('the foreign key column embeds the referenced row (many-to-one), also nested', async () => {
    const { data } = await db().from('replies').select('id, parent:parent_id(id, body, parent_id(id))').eq('id', 5);
    expect(data).toEqual([{ id: 5, parent: { id: 2, body: 're: first', parent_id: { id: 1 } } }]);
    expect((await rest('/replies?select=id,parent_id(id)&id=eq.1')).json).toEqual([{ id: 1, parent_id: null }]);
  });

  test('with two self-references the table\'s name is ambiguous: 300 PGRST201 with both', async () => {
    const r = await rest('/replies?select=id,replies(id)');
    expect(r.status).toBe(300);
    expect(r.json).toEqual({
      code: 'PGRST201',
      message: "Could not embed because more than one relationship was found for 'replies' and 'replies'",
      details: [
        { cardinality: 'one-to-many', embedding: 'replies with replies', relationship: 'replies_parent_id_fkey using replies(id) and replies(parent_id)' },
        { cardinality: 'one-to-many', embedding: 'replies with replies', relationship: 'replies_quoted_id_fkey using replies(id) and replies(quoted_id)' },
      ],
      hint: "Try changing 'replies' to one of the following: 'replies!replies_parent_id_fkey', 'replies!replies_quoted_id_fkey'. Find the desired relationship in the 'details' key.",
    });
  });

  test('a hint naming the referencing column picks the one-to-many side', async () => {
    const { data } = await db().from('replies').select('id, children:replies!parent_id(id), quotes:replies!quoted_id(id)').eq('id', 1)
      .order('id', { referencedTable: 'children' });
    expect(data).toEqual([{ id: 1, children: [{ id: 2 }, { id: 3 }], quotes: [{ id: 4 }] }]);
  });

  test('a hint that names no self-reference column (a constraint name, an unknown name) is 400 PGRST200', async () => {
    for (const hint of ['replies_parent_id_fkey', 'nope']) {
      const r = await rest(`/replies?select=id,replies!${hint}(id)`);
      expect(r.status).toBe(400);
      expect(r.json).toEqual({
        code: 'PGRST200',
        message: "Could not find a relationship between 'replies' and 'replies' in the schema cache",
        details: `Searched for a foreign key relationship between 'replies' and 'replies' using the hint '${hint}' in the schema 'rest_test', but no matches were found.`,
        hint: null,
      });
    }
  });

  test('other relationships of the table resolve as usual', async () => {
    const r = await rest('/replies?select=id,posts(title)&id=eq.3');
    expect(r.json).toEqual([{ id: 3, posts: { title: 'Hello' } }]);
    const byConstraint = await rest('/replies?select=id,posts!replies_post_id_fkey(title)&id=eq.3');
    expect(byConstraint.json).toEqual([{ id: 3, posts: { title: 'Hello' } }]);
  });
});

describe('spread on to-many (PostgREST 13: arrays)', () => {
  test('...embed(a,b) spreads each column as an array of the related rows\' values', async () => {
    const { data } = await db().from('posts').select('title, ...replies(id, body)').order('id').order('id', { referencedTable: 'replies' });
    expect(data).toEqual([
      { title: 'Hello', id: [1, 2, 3, 4, 5], body: ['first', 're: first', 're: first again', 'second', 're: re'] },
      { title: 'Quiet', id: [], body: [] },
    ]);
  });

  test('...embed(count) spreads the legacy count as a one-element array', async () => {
    const r = await rest('/posts?select=title,...replies(count)&order=id');
    expect(r.json).toEqual([{ title: 'Hello', count: [5] }, { title: 'Quiet', count: [0] }]);
  });

  test('a to-many spread through a self-reference hint', async () => {
    const r = await rest('/replies?select=id,...replies!parent_id(child_ids:id)&id=in.(1,4)&order=id&replies.order=id');
    expect(r.json).toEqual([{ id: 1, child_ids: [2, 3] }, { id: 4, child_ids: [] }]);
  });
});
