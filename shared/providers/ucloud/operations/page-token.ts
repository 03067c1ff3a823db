import { parseCarry, type PageCarry } from '../../occurrence-carry';

export { carryOver, contentKey, type PageCarry } from '../../occurrence-carry';

/**
 * The page token cloudtap keeps in the cursor: UCloud's NextToken plus a
 * "carry" that lets identical records split across two pages get distinct ids
 * (see occurrence-carry.ts). The carry travels in the cursor, so a resumed or
 * repeated page gets the same ids again.
 */

const PREFIX = 'u1.';

export interface PageToken {
  /** UCloud's NextToken. */
  next: string;
  carry?: PageCarry;
}

export function encodePageToken(token: PageToken): string {
  const body = token.carry ? { n: token.next, t: token.carry.time, c: token.carry.counts } : { n: token.next };
  return PREFIX + Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

/** Decode a token written by encodePageToken; throws a clear error on anything else. */
export function decodePageToken(text: string): PageToken {
  const fail = (why: string): never => {
    throw new Error(`ucloud-operations page token in the cursor is unusable (${why}); reset the source's cursor`);
  };
  if (!text.startsWith(PREFIX)) return fail('unknown format');
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(text.slice(PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    return fail('not JSON');
  }
  const { n, t, c } = (body ?? {}) as { n?: unknown; t?: unknown; c?: unknown };
  if (typeof n !== 'string' || n === '') return fail('no NextToken');
  if (t === undefined && c === undefined) return { next: n };
  const carry = parseCarry(t, c);
  if (!carry) return fail('bad carry');
  return { next: n, carry };
}
