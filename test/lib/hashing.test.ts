import { describe, expect, it } from 'vitest';
import { canonicalJson, sha256, sha256Hex } from '../../shared/lib/hashing';

describe('sha256Hex', () => {
  it.each([
    // FIPS 180-2 test vectors.
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  ])('hashes %j', (input, digest) => {
    expect(sha256Hex(input)).toBe(digest);
    expect(sha256Hex(Buffer.from(input))).toBe(digest);
  });

  it('hashes text as UTF-8', () => {
    expect(sha256Hex('é')).toBe(sha256Hex(Buffer.from([0xc3, 0xa9])));
  });

  it('gives other encodings on request', () => {
    expect(sha256('abc', 'base64url')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and leaves out undefined members', () => {
    expect(canonicalJson({ b: 1, a: [{ d: null, c: undefined }, 'x'] })).toBe('{"a":[{"d":null},"x"],"b":1}');
  });

  it('gives equal text for equal content whatever the key order', () => {
    expect(canonicalJson({ x: { p: 1, q: 2 }, y: 3 })).toBe(canonicalJson({ y: 3, x: { q: 2, p: 1 } }));
  });

  it('writes a bare undefined as null', () => {
    expect(canonicalJson(undefined)).toBe('null');
  });
});
