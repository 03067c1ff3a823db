import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildSignedHeaders } from '../../../../shared/providers/huawei/signer';
import { CTS_ERRORS, LIST_TRACES, generateCtsTraces, startCtsSimulator, type CtsSimulator, type CtsTraceRecord } from '../../../../simulators/huawei/cts/simulator';
import type { HuaweiApiServer } from '../../../../simulators/huawei/server';
import { AKSK, OTHER_PROJECT_ID, PROJECT_ID, TEMP_AKSK } from '../../../providers/huawei/support';

const NOW_MS = Date.UTC(2025, 0, 15, 12, 0, 0);
const NOW = NOW_MS / 1000;
const DAY = 86_400;

let server: HuaweiApiServer;
let cts: CtsSimulator;

beforeEach(async () => {
  ({ server, cts } = await startCtsSimulator({ credentials: [AKSK, { ...TEMP_AKSK, projects: [PROJECT_ID] }], projects: [PROJECT_ID], now: () => NOW_MS }));
});
afterEach(async () => {
  await server.close();
});

/** A hand-signed ListTraces request, so each check can be broken on purpose. */
async function list(query: Record<string, string>, options: { project?: string; tamper?: (url: URL) => void; credentials?: typeof AKSK } = {}) {
  const url = new URL(`/v3/${options.project ?? PROJECT_ID}/traces`, server.url);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  const headers = buildSignedHeaders({ credentials: options.credentials ?? AKSK, method: 'GET', url, body: '', now: NOW_MS });
  delete headers.Host;
  options.tamper?.(url);
  const res = await fetch(url, { headers });
  return { status: res.status, json: (await res.json()) as any, requestId: res.headers.get('x-request-id') };
}
const window = (from: number, to: number, extra: Record<string, string> = {}) => ({ trace_type: 'system', from: String(from * 1000), to: String(to * 1000), ...extra });

describe('simulator: ListTraces', () => {
  it('verifies the signature over the query string: a parameter changed after signing is refused with APIGW.0301', async () => {
    expect((await list(window(NOW - 3600, NOW))).status).toBe(200);
    const tampered = await list(window(NOW - 3600, NOW), { tamper: (url) => url.searchParams.set('limit', '200') });
    expect([tampered.status, tampered.json.error_code]).toEqual([401, 'APIGW.0301']);
  });

  it('keeps a key to its projects (APIGW.0302)', async () => {
    const { status, json } = await list(window(NOW - 3600, NOW), { project: OTHER_PROJECT_ID, credentials: TEMP_AKSK });
    expect([status, json.error_code]).toEqual([403, 'APIGW.0302']);
  });

  it('serves 10 traces by default, at most 200, newest first, and a marker naming the last while more remain', async () => {
    cts.addTraces(PROJECT_ID, generateCtsTraces({ count: 250, from: NOW - 3000, to: NOW - 1, seed: 1 }));
    const first = await list(window(NOW - 3600, NOW));
    expect(first.json.traces).toHaveLength(10);
    expect(first.json.meta_data).toEqual({ count: 10, marker: first.json.traces[9].trace_id });
    const full = await list(window(NOW - 3600, NOW, { limit: '200' }));
    const times = full.json.traces.map((t: CtsTraceRecord) => t.time);
    expect(times).toEqual([...times].sort((a: number, b: number) => b - a));
    const rest = await list(window(NOW - 3600, NOW, { limit: '200', next: full.json.meta_data.marker }));
    expect(rest.json.meta_data).toEqual({ count: 50, marker: null });
    for (const limit of ['0', '201', 'ten']) {
      const { status, json } = await list(window(NOW - 3600, NOW, { limit }));
      expect([status, json.error_code], limit).toEqual([400, CTS_ERRORS.invalid]);
    }
  });

  it('serves only the last seven days, whatever from says', async () => {
    cts.addTraces(PROJECT_ID, [
      ...generateCtsTraces({ count: 5, from: NOW - 8 * DAY, to: NOW - 7 * DAY - 60, seed: 2 }),
      ...generateCtsTraces({ count: 3, from: NOW - 6 * DAY, to: NOW - 5 * DAY, seed: 3 }),
    ]);
    const { json } = await list(window(NOW - 10 * DAY, NOW, { limit: '200' }));
    expect(json.meta_data.count).toBe(3);
  });

  it('refuses what the reference rules out: no trace_type, from not before to, an unknown rating or marker', async () => {
    cts.addTraces(PROJECT_ID, generateCtsTraces({ count: 3, from: NOW - 100, to: NOW - 1, seed: 4 }));
    const codes = await Promise.all([
      list({ from: String((NOW - 60) * 1000), to: String(NOW * 1000) }),
      list(window(NOW, NOW - 60)),
      list(window(NOW - 60, NOW, { trace_rating: 'fatal' })),
      list(window(NOW - 60, NOW, { from: '1700000000' })),
      list(window(NOW - 60, NOW, { next: '99999999-9999-4999-a999-999999999999' })),
    ]);
    expect(codes.map(({ status, json }) => `${status} ${json.error_code}`)).toEqual([
      `400 ${CTS_ERRORS.invalid}`,
      `400 ${CTS_ERRORS.invalid}`,
      `400 ${CTS_ERRORS.invalid}`,
      `400 ${CTS_ERRORS.invalid}`,
      `404 ${CTS_ERRORS.queryFailed}`,
    ]);
  });

  it('filters by the documented query parameters', async () => {
    cts.addTraces(PROJECT_ID, generateCtsTraces({ count: 300, from: NOW - 3000, to: NOW - 1, seed: 5 }));
    const { json } = await list(window(NOW - 3600, NOW, { limit: '200', service_type: 'IAM', trace_name: 'login' }));
    expect(json.traces.length).toBeGreaterThan(0);
    expect(json.traces.every((t: CtsTraceRecord) => t.service_type === 'IAM' && t.trace_name === 'login')).toBe(true);
  });

  it('answers APIGW.0308 beyond the pace it enforces, per key', async () => {
    await server.close();
    ({ server, cts } = await startCtsSimulator({ credentials: [AKSK], projects: [PROJECT_ID], now: () => NOW_MS, enforceRateLimit: true }));
    const answers = [];
    for (let i = 0; i < LIST_TRACES.requestsPerSecond + 1; i++) answers.push(await list(window(NOW - 60, NOW)));
    expect(answers.slice(0, -1).every((a) => a.status === 200)).toBe(true);
    expect([answers.at(-1)!.status, answers.at(-1)!.json.error_code]).toEqual([429, 'APIGW.0308']);
  });
});
