import { describe, expect, it } from 'vitest';
import { benchApis } from '../../../bench/apis';
import { realisticPages } from '../../../bench/cost';
import { ECS_VERSION, type EcsDocument } from '../../../shared/ecs/document';
import { MAX_RECORD_BYTES } from '../../../shared/sinks/encode';
import { definitions } from '../../../shared/providers/registry';
import { splunkSourcetypes } from '../../../shared/providers/siem';
import { createSplunkHecEncoder, decodeHecEvents, hecEventOf } from '../../../shared/sinks/encoders/splunk-hec';

const sourcetypeOf = splunkSourcetypes(definitions);

const doc = (overrides: Partial<EcsDocument> = {}, timestamp = '2024-05-01T12:00:00.123Z'): EcsDocument => ({
  '@timestamp': timestamp,
  ecs: { version: ECS_VERSION },
  event: { id: 'e-1', kind: 'event', original: '{}' },
  cloud: { provider: 'tencentcloud' },
  cloudtap: { source_id: 'prod-audit', source_type: 'tencent-cloudaudit' },
  ...overrides,
});

describe('createSplunkHecEncoder', () => {
  it('writes one HEC event and a newline: time, host, source, sourcetype, index, event', () => {
    const text = createSplunkHecEncoder({ sourcetypeOf, index: 'main' }).encode(doc()).toString('utf8');
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.indexOf('\n')).toBe(text.length - 1);
    expect(text.startsWith('{"time":1714564800.123,"host":"tencentcloud","source":"cloudtap:prod-audit","sourcetype":"tencentcloud:cloudaudit","index":"main","event":{')).toBe(true);
    expect(decodeHecEvents(text)).toEqual([
      { time: 1714564800.123, host: 'tencentcloud', source: 'cloudtap:prod-audit', sourcetype: 'tencentcloud:cloudaudit', index: 'main', event: doc() },
    ]);
  });

  it('takes the sourcetype of each event from the lookup it is given', () => {
    const encoder = createSplunkHecEncoder({ sourcetypeOf: (type) => `test:${type}` });
    expect(decodeHecEvents(encoder.encode(doc()))[0]!.sourcetype).toBe('test:tencent-cloudaudit');
  });

  it.each([
    ['2024-05-01T12:00:00.000Z', 1714564800],
    ['2024-05-01T12:00:00.001Z', 1714564800.001],
    ['2024-05-01T12:00:00.999Z', 1714564800.999],
    ['1970-01-01T00:00:00.010Z', 0.01],
    ['2024-05-01T20:00:00.5+08:00', 1714564800.5],
  ])('time of %s is %d epoch seconds', (timestamp, seconds) => {
    expect(hecEventOf(doc({}, timestamp), { sourcetypeOf }).time).toBe(seconds);
    // Exactly milliseconds in the text: no float noise such as 1714564800.0010002.
    const text = createSplunkHecEncoder({ sourcetypeOf }).encode(doc({}, timestamp)).toString('utf8');
    expect(text.startsWith(`{"time":${seconds},`)).toBe(true);
  });

  it('leaves time to Splunk when @timestamp cannot be parsed, and keeps the event', () => {
    const [event] = decodeHecEvents(createSplunkHecEncoder({ sourcetypeOf }).encode(doc({}, 'not a date')));
    expect(event).not.toHaveProperty('time');
    expect(event!.event['@timestamp']).toBe('not a date');
  });

  it('omits index when none is configured (the token default applies) and falls back to the source id for host', () => {
    const { cloud: _cloud, ...noCloud } = doc();
    const [event] = decodeHecEvents(createSplunkHecEncoder({ sourcetypeOf }).encode(noCloud as EcsDocument));
    expect(event).not.toHaveProperty('index');
    expect(event!.host).toBe('prod-audit');
  });

  it.each(benchApis.map((api) => [api.type, api] as const))('gives realistic %s events their API sourcetype and time', (type, api) => {
    const documents = realisticPages(api, 50).flat();
    const encoder = createSplunkHecEncoder({ sourcetypeOf, index: 'cloudtap' });
    const events = decodeHecEvents(Buffer.concat(documents.map((d) => encoder.encode(d))));
    expect(events.map((e) => e.event)).toEqual(documents);
    for (const [i, e] of events.entries()) {
      expect(e.sourcetype).toBe(sourcetypeOf(type));
      expect(e.source).toBe('cloudtap:bench');
      expect(e.index).toBe('cloudtap');
      expect(e.time! * 1000).toBe(Date.parse(documents[i]!['@timestamp']));
    }
  });

  it('serializes the raw record last, so Splunk extracts the mapped fields within its first 5,000 bytes', () => {
    const [document] = realisticPages(benchApis.find((api) => api.type === 'tencent-cloudaudit')!, 1)[0]!;
    const line = createSplunkHecEncoder({ sourcetypeOf }).encode(document!).toString('utf8');
    const original = line.lastIndexOf('"original":'); // user_agent.original comes earlier
    expect(original).toBeGreaterThan(0);
    for (const field of ['"user":', '"cloud":', '"cloudtap":', '"action":', '"outcome":']) {
      expect(line.indexOf(field), field).toBeLessThan(original);
      expect(line.indexOf(field), field).toBeLessThan(5_000);
    }
    expect(decodeHecEvents(line)[0]!.event).toEqual(document);
  });

  it('keeps the envelope whole when it shrinks an oversized event', () => {
    const big = doc({ event: { id: 'big', kind: 'event', original: 'z'.repeat(MAX_RECORD_BYTES) } });
    const data = createSplunkHecEncoder({ sourcetypeOf, index: 'main' }).encode(big);
    expect(data.length).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    const [event] = decodeHecEvents(data);
    expect(event).toMatchObject({ time: 1714564800.123, sourcetype: 'tencentcloud:cloudaudit', index: 'main' });
    expect(event!.event.cloudtap.original_truncated_bytes).toBe(MAX_RECORD_BYTES);
  });
});

describe('decodeHecEvents', () => {
  const a = { event: { s: '}{"\\' } };
  const b = { time: 1, event: 'x' };
  it.each([
    ['newline-separated', `${JSON.stringify(a)}\n${JSON.stringify(b)}\n`],
    ['back to back', `${JSON.stringify(a)}${JSON.stringify(b)}`],
    ['with spaces and CRLF', ` ${JSON.stringify(a)} \r\n\t${JSON.stringify(b)}`],
  ])('reads concatenated events %s', (_, text) => {
    expect(decodeHecEvents(text)).toEqual([a, b]);
  });

  it('reads nothing from empty data', () => expect(decodeHecEvents(Buffer.alloc(0))).toEqual([]));

  it.each([
    ['text between events', '{"event":1}x{"event":2}', /unexpected "x" between HEC events at offset 11/],
    ['a stray closing brace', '{"event":1}}', /unexpected "}"/],
    ['a truncated event', '{"event":{"a":1}', /truncated HEC event/],
    ['a truncated string', '{"event":"abc', /truncated HEC event/],
  ])('refuses %s', (_, text, message) => {
    expect(() => decodeHecEvents(text)).toThrow(message);
  });
});
