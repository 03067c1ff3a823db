import { describe, expect, it } from 'vitest';
import { ECS_VERSION, type EcsDocument } from '../../shared/ecs/document';
import { decodeLines, DocumentTooLargeError, encodeDocument, MAX_RECORD_BYTES } from '../../shared/sinks/encode';

const doc = (id: string, original: string, extra: Partial<EcsDocument> = {}): EcsDocument => ({
  '@timestamp': '2024-05-01T12:00:00.000Z',
  ecs: { version: ECS_VERSION },
  event: { id, kind: 'event', original },
  cloudtap: { source_id: 'test', source_type: 'test' },
  ...extra,
});

describe('encodeDocument', () => {
  it('writes one UTF-8 JSON line with a trailing newline', () => {
    const d = doc('a1', '{"msg":"héllo\\nworld"}', { message: 'line\nbreak ✓' });
    const line = encodeDocument(d);
    const text = line.toString('utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.indexOf('\n')).toBe(text.length - 1);
    expect(decodeLines(line)).toEqual([d]);
  });

  it('leaves a document that fits untouched, up to exactly the limit', () => {
    const base = encodeDocument(doc('a1', '')).length;
    const exact = doc('a1', 'x'.repeat(MAX_RECORD_BYTES - base));
    const line = encodeDocument(exact);
    expect(line.length).toBe(MAX_RECORD_BYTES);
    expect(decodeLines(line)[0]).toEqual(exact);
  });

  // Quotes, control characters, 2-, 3- and 4-byte characters all cost more than one byte once escaped.
  const originals: [string, string][] = [
    ['ascii', 'x'.repeat(1_100_000)],
    ['escapes', '"\\\n\u0001'.repeat(300_000)],
    ['multi-byte', 'é中😀'.repeat(200_000)],
  ];
  it.each(originals)('truncates an oversized event.original (%s) and flags it', (_, original) => {
    const input = doc('big-1', original);
    const snapshot = structuredClone(input);
    const line = encodeDocument(input);
    expect(line.length).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    expect(line.length).toBeGreaterThan(MAX_RECORD_BYTES - 16); // the longest prefix that fits
    const [out] = decodeLines(line);
    expect(out!.event.id).toBe('big-1');
    expect(original.startsWith(out!.event.original)).toBe(true);
    expect(out!.event.original.length).toBeGreaterThan(0);
    expect(out!.event.original).not.toMatch(/[\ud800-\udbff]$/); // no half surrogate pair
    expect(out!.cloudtap.original_truncated_bytes).toBe(Buffer.byteLength(original, 'utf8'));
    expect(input).toEqual(snapshot); // the caller's document is not modified
  });

  it('keeps only the core fields, flagged, when the mapped fields alone overflow', () => {
    const input = doc('huge-7', 'raw record', { message: 'm'.repeat(MAX_RECORD_BYTES) });
    const line = encodeDocument(input);
    expect(line.length).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    const [out] = decodeLines(line);
    expect(out!.event.id).toBe('huge-7');
    expect(out!.event.original).toBe('raw record');
    expect(out!['@timestamp']).toBe(input['@timestamp']);
    expect(out!.cloudtap.source_id).toBe(input.cloudtap.source_id);
    expect(out!.cloudtap.fields_dropped).toEqual(['message', 'cloudtap.*']);
    expect((out as Record<string, unknown>).message).toBeUndefined();
  });

  it('throws naming event.id and size when even the core fields do not fit', () => {
    const input = doc('huge-8', 'short');
    input.event.action = 'a'.repeat(MAX_RECORD_BYTES);
    expect(() => encodeDocument(input)).toThrow(DocumentTooLargeError);
    expect(() => encodeDocument(input)).toThrow(/event huge-8: even reduced to its core fields the document is \d+ bytes, over the 1024000-byte record limit/);
  });

  it('honours a smaller limit', () => {
    const line = encodeDocument(doc('s', 'y'.repeat(5000)), 1000);
    expect(line.length).toBeLessThanOrEqual(1000);
    expect(decodeLines(line)[0]!.cloudtap.original_truncated_bytes).toBe(5000);
  });
});
