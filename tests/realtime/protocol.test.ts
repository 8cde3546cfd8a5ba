import Serializer from '@supabase/realtime-js/dist/main/lib/serializer.js';
import { describe, expect, it } from 'vitest';
import { parseBinding, visibleThroughFilters } from '../../stack/realtime/filters.js';
import { decodeBinary, decodeText, encodeText, encodeUserBroadcast, ProtocolError } from '../../stack/realtime/protocol.js';

// The wire formats against realtime-js's own serializer, and the filter grammar, without a server.

// A CommonJS module: depending on the loader its class is the default export or under `.default`.
const SerializerClass = ((Serializer as unknown as { default?: unknown }).default ?? Serializer) as new () => any;
const serializer = new SerializerClass();

describe('wire formats', () => {
  it('decodes a 2.0.0 array frame and a 1.0.0 object frame', () => {
    expect(decodeText('["1","2","realtime:room","phx_join",{"config":{}}]', '2.0.0')).toMatchObject({ joinRef: '1', ref: '2', topic: 'realtime:room', event: 'phx_join' });
    expect(decodeText('{"topic":"phoenix","event":"heartbeat","payload":{},"ref":"9"}', '1.0.0')).toMatchObject({ joinRef: null, ref: '9', topic: 'phoenix' });
  });

  it('refuses frames that are not Phoenix messages', () => {
    expect(() => decodeText('{"topic":"x"}', '2.0.0')).toThrow(ProtocolError);
    expect(() => decodeText('[1,2,3]', '2.0.0')).toThrow(ProtocolError);
    expect(() => decodeText('nope', '1.0.0')).toThrow(ProtocolError);
    expect(() => decodeBinary(Buffer.from([3, 200, 0, 0, 0, 0, 1]))).toThrow(ProtocolError);
  });

  it('reads realtime-js’s binary broadcast push (JSON and binary payloads)', () => {
    const json = serializer.encode({ join_ref: '4', ref: '5', topic: 'realtime:room', event: 'broadcast', payload: { type: 'broadcast', event: 'cursor', payload: { x: 1 } } }, (r: ArrayBuffer) => r);
    expect(decodeBinary(Buffer.from(json))).toMatchObject({ joinRef: '4', ref: '5', topic: 'realtime:room', event: 'broadcast', userBroadcast: { event: 'cursor', json: { x: 1 } } });
    const bytes = new Uint8Array([1, 2, 3]).buffer;
    const bin = serializer.encode({ join_ref: '4', ref: null, topic: 'realtime:room', event: 'broadcast', payload: { type: 'broadcast', event: 'blob', payload: bytes } }, (r: ArrayBuffer) => r);
    expect([...decodeBinary(Buffer.from(bin)).userBroadcast!.binary!]).toEqual([1, 2, 3]);
  });

  it('writes broadcasts realtime-js reads back', () => {
    const frame = encodeUserBroadcast('realtime:room', { event: 'cursor', json: { x: 2 } });
    const decoded = serializer.decode(frame.buffer.slice(frame.byteOffset, frame.byteOffset + frame.byteLength), (m: unknown) => m);
    expect(decoded).toEqual({ join_ref: null, ref: null, topic: 'realtime:room', event: 'broadcast', payload: { type: 'broadcast', event: 'cursor', payload: { x: 2 } } });
    const text = encodeText('2.0.0', '1', '2', 'realtime:room', 'phx_reply', { status: 'ok', response: {} });
    expect(serializer.decode(text, (m: unknown) => m)).toEqual({ join_ref: '1', ref: '2', topic: 'realtime:room', event: 'phx_reply', payload: { status: 'ok', response: {} } });
  });
});

describe('postgres_changes filters', () => {
  const types = new Map([
    ['score', 23],
    ['name', 25],
  ]);
  const parse = (filter: string) => {
    const r = parseBinding({ event: 'INSERT', schema: 'public', table: 't', filter });
    if (!r.ok) throw new Error(r.message);
    return r.binding.filters;
  };

  it('parses column=op.value joined with commas, in-lists and quoted values', () => {
    expect(parse('score=gt.0,score=lt.100')).toEqual([
      { column: 'score', op: 'gt', value: '0' },
      { column: 'score', op: 'lt', value: '100' },
    ]);
    expect(parse('name=in.(a,"b,c")')).toEqual([{ column: 'name', op: 'in', value: ['a', 'b,c'] }]);
    expect(parse('name=eq."x,y"')).toEqual([{ column: 'name', op: 'eq', value: 'x,y' }]);
  });

  it('refuses unknown operators and malformed filters with Realtime’s message', () => {
    expect(parseBinding({ schema: 'public', table: 't', filter: 'score=foo.1' })).toEqual({ ok: false, message: 'Error parsing `filter` params: ["foo", "1"]' });
    expect(parseBinding({ schema: 'public', table: 't', filter: 'undefined' })).toMatchObject({ ok: false });
    expect(parseBinding({})).toMatchObject({ ok: false });
  });

  it('supports like, ilike, is, isdistinct and the not. prefix', () => {
    expect(visibleThroughFilters(parse('name=like.ab%'), { name: 'abc' }, types)).toBe(true);
    expect(visibleThroughFilters(parse('name=like.ab%'), { name: 'ABC' }, types)).toBe(false);
    expect(visibleThroughFilters(parse('name=ilike.ab_'), { name: 'ABC' }, types)).toBe(true);
    expect(visibleThroughFilters(parse('name=is.null'), { name: null }, types)).toBe(true);
    expect(visibleThroughFilters(parse('name=not.is.null'), { name: 'x' }, types)).toBe(true);
    expect(visibleThroughFilters(parse('score=not.in.(1,2)'), { score: '3' }, types)).toBe(true);
    expect(visibleThroughFilters(parse('score=not.eq.3'), { score: null }, types)).toBe(false);
    expect(visibleThroughFilters(parse('name=isdistinct.a'), { name: null }, types)).toBe(true);
    expect(visibleThroughFilters(parse('name=like.a\\%b%'), { name: 'a%bcd' }, types)).toBe(true);
    expect(visibleThroughFilters(parse('name=like.a\\%b%'), { name: 'axbcd' }, types)).toBe(false);
    expect(visibleThroughFilters(parse('name=like.%b%d'), { name: 'abcbd' }, types)).toBe(true);
  });

  it('matches a hostile LIKE pattern without backtracking, and has no regular-expression operators', () => {
    // With a regular expression this pattern over 2000 characters would backtrack for ages.
    const hostile = `name=like.${'%a'.repeat(25)}%b`;
    expect(visibleThroughFilters(parse(hostile), { name: 'a'.repeat(2000) }, types)).toBe(false);
    expect(parseBinding({ schema: 'public', table: 't', filter: 'name=match.^(a+)+$' })).toEqual({
      ok: false,
      message: 'Error parsing `filter` params: ["match", "^(a+)+$"]',
    });
  });

  it('compares numbers as numbers, and never matches null', () => {
    expect(visibleThroughFilters(parse('score=gt.9'), { score: '10' }, types)).toBe(true);
    expect(visibleThroughFilters(parse('score=lt.9'), { score: '10' }, types)).toBe(false);
    expect(visibleThroughFilters(parse('name=neq.a'), { name: null }, types)).toBe(false);
    expect(visibleThroughFilters(parse('score=in.(1,10)'), { score: '10' }, types)).toBe(true);
  });
});
