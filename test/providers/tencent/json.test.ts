import { describe, expect, it } from 'vitest';
import { JsonInteger, parseJson, stringifyJson } from '../../../shared/providers/tencent/json';

describe('parseJson', () => {
  it('keeps integers beyond 2^53 exact, as decimal strings', () => {
    const parsed = parseJson('{"NextToken":16106961641644206,"Big":-123456789012345678901234567890,"Small":42}');
    expect(parsed).toEqual({ NextToken: '16106961641644206', Big: '-123456789012345678901234567890', Small: 42 });
    // The point of it: JSON.parse rounds the same text.
    expect(JSON.parse('{"n":9007199254740993}').n).toBe(9007199254740992);
    expect(parseJson('{"n":9007199254740993}')).toEqual({ n: '9007199254740993' });
  });

  it('leaves the largest safe integers, floats and exponents alone', () => {
    expect(parseJson('[9007199254740991,-9007199254740991,1.5,12345678901234567890.5,1e400,2E+3,-0]')).toEqual([
      9007199254740991, -9007199254740991, 1.5, 12345678901234567890.5, Infinity, 2000, -0,
    ]);
  });

  it('never touches digits inside strings, including after escaped quotes and backslashes', () => {
    const text = String.raw`{"a":"12345678901234567890","b":"say \"9007199254740993\" twice","c":"ends with a backslash \\","d":16106961641644206,"e":["\\\"",99999999999999999999]}`;
    expect(parseJson(text)).toEqual({
      a: '12345678901234567890',
      b: 'say "9007199254740993" twice',
      c: 'ends with a backslash \\',
      d: '16106961641644206',
      e: ['\\"', '99999999999999999999'],
    });
  });

  it('handles nested JSON strings holding big integers (CloudAuditEvent) as plain strings', () => {
    const inner = '{"updateEsTime":16106961641644206}';
    const parsed = parseJson(JSON.stringify({ CloudAuditEvent: inner, NextToken: 1 })) as Record<string, unknown>;
    expect(parsed.CloudAuditEvent).toBe(inner);
    expect(parseJson(parsed.CloudAuditEvent as string)).toEqual({ updateEsTime: '16106961641644206' });
  });

  it('still rejects malformed text', () => {
    for (const bad of ['{"a":01}', '{"a":12345678901234567890', '{"a":"unterminated', '<html>', '', '{"a":-}', '{"a":00000000000000000001}']) {
      expect(() => parseJson(bad), bad).toThrow(SyntaxError);
    }
  });

  it('can return JsonInteger instead, so a server can tell bare from quoted integers', () => {
    const parsed = parseJson('{"bare":16106961641644206,"quoted":"16106961641644206","small":5}', {
      bigIntegers: 'JsonInteger',
    }) as Record<string, unknown>;
    expect(parsed.bare).toBeInstanceOf(JsonInteger);
    expect(String(parsed.bare)).toBe('16106961641644206');
    expect(parsed.quoted).toBe('16106961641644206');
    expect(parsed.small).toBe(5);
  });
});

describe('stringifyJson', () => {
  it('writes JsonInteger and bigint as bare integers', () => {
    const text = stringifyJson({ NextToken: new JsonInteger('16106961641644206'), B: 12345678901234567890n, S: 'x', U: undefined });
    expect(text).toBe('{"NextToken":16106961641644206,"B":12345678901234567890,"S":"x"}');
  });

  it('matches JSON.stringify for plain values', () => {
    const value = { a: [1, 'two', null, true, { b: 'é\u2028"\\' }], c: new Date(0), d: NaN, e: [undefined] };
    expect(stringifyJson(value)).toBe(JSON.stringify(value));
  });

  it('round-trips random documents with big integers and tricky strings', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pieces = ['"', '\\', '\\"', '12345678901234567890', ':', ',', '}', 'x', '中'];
    for (let round = 0; round < 200; round++) {
      const digits = `${1 + Math.floor(random() * 9)}${Array.from({ length: 16 + Math.floor(random() * 10) }, () => Math.floor(random() * 10)).join('')}`;
      const text = Array.from({ length: 1 + Math.floor(random() * 6) }, () => pieces[Math.floor(random() * pieces.length)]).join('');
      const doc = { s: text, n: new JsonInteger(digits), list: [text, new JsonInteger(`-${digits}`), 7] };
      expect(parseJson(stringifyJson(doc))).toEqual({ s: text, n: digits, list: [text, `-${digits}`, 7] });
    }
  });
});

describe('JsonInteger', () => {
  it('accepts exact integers only', () => {
    expect(new JsonInteger(16106961641644206n).digits).toBe('16106961641644206');
    expect(new JsonInteger(42).digits).toBe('42');
    expect(JSON.stringify({ t: new JsonInteger('16106961641644206') })).toBe('{"t":"16106961641644206"}');
    for (const bad of ['', '12a', '1.5', '01', '+1', ' 1']) expect(() => new JsonInteger(bad), bad).toThrow(TypeError);
    expect(() => new JsonInteger(16106961641644206)).toThrow(TypeError);
  });
});
