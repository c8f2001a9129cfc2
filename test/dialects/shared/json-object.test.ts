import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseJsonObject, topLevelKeyCount } from '../../../src/dialects/shared/json-object.ts';

const parse = (text: string | Buffer) => parseJsonObject(Buffer.isBuffer(text) ? text : Buffer.from(text));

describe('strict JSON object bodies', () => {
  it('accepts an object and returns its value', () => {
    expect(parse('{"a":1,"b":{"a":2}}')).toEqual({ ok: true, value: { a: 1, b: { a: 2 } } });
  });

  it('refuses a top-level key given twice, which JSON.parse would silently resolve', () => {
    expect(parse('{"appid":"1","appid":"2"}')).toEqual({ ok: false, reason: 'duplicate' });
    expect(parse('{"a":1, "\\u0061" :2}')).toEqual({ ok: false, reason: 'duplicate' });
  });

  it('allows the same key at different depths and keys inside strings', () => {
    expect(parse('{"a":{"a":1},"b":"\\"a\\":","c":["a"]}').ok).toBe(true);
  });

  it('refuses broken UTF-8, broken JSON and values that are not objects', () => {
    expect(parse(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]))).toEqual({ ok: false, reason: 'broken' });
    expect(parse('{"a":')).toEqual({ ok: false, reason: 'broken' });
    expect(parse('')).toEqual({ ok: false, reason: 'broken' });
    for (const text of ['[]', 'null', '"x"', '1']) expect(parse(text)).toEqual({ ok: false, reason: 'not_object' });
  });

  it('counts top-level keys with repeats, past nesting, escaped quotes and lookalike strings', () => {
    expect(topLevelKeyCount('{ "x" : [1,{"y":2}], "z":"w", "x":0 }')).toBe(3);
    // Keys and values ending in backslashes and holding quoted "key": lookalikes.
    const tricky = JSON.stringify({ 'a\\': 'b\\\\', c: '"d": 1, "x":', 'e\\"': { f: '"g":' } });
    expect(JSON.parse(tricky)).toBeTypeOf('object');
    expect(topLevelKeyCount(tricky)).toBe(3);
    expect(topLevelKeyCount('{"k":"{\\"x\\":1}" , "m" :\n[ "n", "o:" ]}')).toBe(2);
    expect(topLevelKeyCount('{}')).toBe(0);
  });

  it('counts the keys of any JSON object, however its strings are escaped', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'binary' }), fc.jsonValue(), { maxKeys: 8 }), fc.boolean(), (object, indent) => {
        const text = JSON.stringify(object, null, indent ? 1 : 0);
        expect(topLevelKeyCount(text)).toBe(Object.keys(object).length);
      }),
    );
  });

  it('refuses a key given twice even when spelt with an escape', () => {
    expect(parse('{"appid":"1","\\u0061ppid":"2"}')).toEqual({ ok: false, reason: 'duplicate' });
    expect(parse('{"a":{"b":1,"b":2}}').ok).toBe(true);
  });
});
