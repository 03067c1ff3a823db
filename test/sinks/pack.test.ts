import { describe, expect, it } from 'vitest';
import { MAX_CALL_BYTES, MAX_RECORD_BYTES, MAX_RECORDS_PER_CALL } from '../../shared/sinks/encode';
import { BILLING_INCREMENT_BYTES, billedBytes, pack, packCalls, packRecords, type PackOptions } from '../../shared/sinks/pack';

/** A line of exactly `bytes` bytes whose content says which input it was. */
const line = (bytes: number, tag: number): Buffer => {
  const b = Buffer.alloc(bytes, 0x61);
  b.write(String(tag).padStart(Math.min(bytes - 1, 6), '0').slice(0, bytes - 1));
  b[bytes - 1] = 0x0a;
  return b;
};
const lines = (sizes: number[]) => sizes.map((s, i) => line(s, i));
const KB = 1024;

describe('packRecords', () => {
  const cases: { name: string; sizes: number[]; options?: PackOptions; expected: number[][] }[] = [
    { name: 'no lines, no records', sizes: [], expected: [] },
    { name: 'small lines share one record', sizes: [100, 200, 300], expected: [[0, 1, 2]] },
    { name: 'one per record on request', sizes: [100, 200, 300], options: { onePerRecord: true }, expected: [[0], [1], [2]] },
    { name: 'a line of exactly the limit is alone', sizes: [10, MAX_RECORD_BYTES, 10], expected: [[0], [1], [2]] },
    { name: 'lines filling the limit exactly share a record', sizes: [MAX_RECORD_BYTES - 100, 100, 1], expected: [[0, 1], [2]] },
    { name: 'one byte over starts a new record', sizes: [MAX_RECORD_BYTES - 100, 101], expected: [[0], [1]] },
    { name: 'large lines', sizes: [600 * KB, 600 * KB, 300 * KB, 101 * KB], expected: [[0], [1, 2], [3]] },
    { name: 'at most N events a record', sizes: [10, 10, 10, 10, 10], options: { maxEventsPerRecord: 2 }, expected: [[0, 1], [2, 3], [4]] },
  ];
  it.each(cases)('$name', ({ sizes, options, expected }) => {
    const input = lines(sizes);
    const records = packRecords(input, options);
    expect(records.map((r) => Array.from({ length: r.count }, (_, k) => r.first + k))).toEqual(expected);
    for (const r of records) {
      expect(r.data.length).toBeLessThanOrEqual(MAX_RECORD_BYTES);
      expect(r.data.equals(Buffer.concat(input.slice(r.first, r.first + r.count)))).toBe(true);
    }
  });

  it('rejects a line over the record limit rather than splitting it', () => {
    expect(() => packRecords(lines([10, MAX_RECORD_BYTES + 1]))).toThrow(/line 1 is 1024001 bytes/);
  });
});

describe('packCalls', () => {
  const records = (sizes: number[]) => packRecords(lines(sizes), { onePerRecord: true });
  const cases: { name: string; sizes: number[]; expected: number[] }[] = [
    { name: '500 records fit one call', sizes: Array(500).fill(10), expected: [500] },
    { name: '501 records need two calls', sizes: Array(501).fill(10), expected: [500, 1] },
    { name: '1,200 records', sizes: Array(1200).fill(10), expected: [500, 500, 200] },
    {
      name: 'exactly 4 MiB in one call',
      sizes: [MAX_RECORD_BYTES, MAX_RECORD_BYTES, MAX_RECORD_BYTES, MAX_RECORD_BYTES, MAX_CALL_BYTES - 4 * MAX_RECORD_BYTES],
      expected: [5],
    },
    {
      name: 'one byte over 4 MiB splits',
      sizes: [MAX_RECORD_BYTES, MAX_RECORD_BYTES, MAX_RECORD_BYTES, MAX_RECORD_BYTES, MAX_CALL_BYTES - 4 * MAX_RECORD_BYTES + 1],
      expected: [4, 1],
    },
    { name: 'size limit binds before count', sizes: Array(10).fill(MAX_RECORD_BYTES), expected: [4, 4, 2] },
  ];
  it.each(cases)('$name', ({ sizes, expected }) => {
    const calls = packCalls(records(sizes));
    expect(calls.map((c) => c.records.length)).toEqual(expected);
    for (const call of calls) {
      expect(call.records.length).toBeLessThanOrEqual(MAX_RECORDS_PER_CALL);
      expect(call.bytes).toBeLessThanOrEqual(MAX_CALL_BYTES);
      expect(call.bytes).toBe(call.records.reduce((n, r) => n + r.data.length, 0));
    }
  });
});

describe('pack', () => {
  it('preserves order and maps every document to exactly one record', () => {
    const sizes = Array.from({ length: 3000 }, (_, i) => 200 + ((i * 7919) % 5000));
    const input = lines(sizes);
    for (const options of [{}, { onePerRecord: true }]) {
      const calls = pack(input, options);
      const order = calls.flatMap((c) => c.records).flatMap((r) => Array.from({ length: r.count }, (_, k) => r.first + k));
      expect(order).toEqual(sizes.map((_, i) => i));
      const joined = Buffer.concat(calls.flatMap((c) => c.records.map((r) => r.data)));
      expect(joined.equals(Buffer.concat(input))).toBe(true);
    }
  });

  it('packs small documents densely: 1,000 lines of 2,700 bytes take 3 records in one call', () => {
    const calls = pack(lines(Array(1000).fill(2700)));
    expect(calls).toHaveLength(1);
    expect(calls[0]!.records.map((r) => r.count)).toEqual([379, 379, 242]);
  });
});

describe('billedBytes', () => {
  it.each([
    ['an empty record still bills one increment', [0], 5120],
    ['1 byte', [1], 5120],
    ['exactly 5 KB', [5120], 5120],
    ['one byte over 5 KB', [5121], 10240],
    ['the 42 KB example bills 45 KB', [42 * 1024], 45 * 1024],
    ['the record limit', [MAX_RECORD_BYTES], MAX_RECORD_BYTES],
    ['summed per record, not per call', [1024, 1024], 10240],
  ])('%s', (_, sizes, billed) => {
    expect(BILLING_INCREMENT_BYTES).toBe(5120);
    expect(billedBytes(sizes)).toBe(billed);
  });

  it('packing 1,000 events of 1 KB bills 200 times less than one per record', () => {
    const input = lines(Array(1000).fill(KB));
    const size = (options: PackOptions) => billedBytes(pack(input, options).flatMap((c) => c.records.map((r) => r.data.length)));
    expect(size({ onePerRecord: true })).toBe(1000 * 5120);
    expect(size({})).toBe(5120 * 200); // 1,000 KiB in one record, exactly 200 increments
  });
});
