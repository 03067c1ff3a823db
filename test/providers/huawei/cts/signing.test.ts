import { describe, expect, it } from 'vitest';
import { ctsDefinition } from '../../../../shared/providers/huawei/cts/definition';
import { CtsSource } from '../../../../shared/providers/huawei/cts/source';
import { buildSignedHeaders, sdkDate } from '../../../../shared/providers/huawei/signer';
import { FakeClock } from '../../../support/fake-clock';
import { loadHuaweiSdkSigner, recordingLog } from '../support';

const sdk = loadHuaweiSdkSigner();

describe.skipIf(!sdk)('ListTraces signing, against @huaweicloud/huaweicloud-sdk-core as an oracle', () => {
  let seed = 20260101;
  const random = () => (seed = (Math.imul(seed, 48271) >>> 0) % 2147483647) / 2147483647;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const text = (alphabet: string, min: number, max: number) =>
    Array.from({ length: min + Math.floor(random() * (max - min + 1)) }, () => pick([...alphabet])).join('');
  const HEX = '0123456789abcdef';
  const uuid = () => `${text(HEX, 8, 8)}-${text(HEX, 4, 4)}-4${text(HEX, 3, 3)}-a${text(HEX, 3, 3)}-${text(HEX, 12, 12)}`;

  it("agrees on 300 random ListTraces GETs, as the source builds their query (filters, markers, the window's ms)", async () => {
    for (let i = 0; i < 300; i++) {
      const region = pick(['cn-north-4', 'ap-southeast-1', 'la-south-2', 'eu-west-101']);
      const projectId = text(HEX, 32, 32);
      const options = ctsDefinition.optionsSchema.parse({
        projectId,
        pageSize: 1 + Math.floor(random() * 200),
        ...(random() < 0.5 ? { serviceType: pick(['IAM', 'VPC', 'OBS', 'KMS', 'CTS']) } : {}),
        ...(random() < 0.4 ? { user: text('abcdefghijklmnopqrstuvwxyz0123456789-_.@中é', 1, 20) } : {}),
        ...(random() < 0.3 ? { resourceType: pick(['user', 'security-group-rules', 'bucket', 'tracker']) } : {}),
        ...(random() < 0.3 ? { traceRating: pick(['normal', 'warning', 'incident']) } : {}),
      });
      const start = 1_700_000_000 + Math.floor(random() * 1e8);
      const window = { start, end: start + 1 + Math.floor(random() * 86_400) };
      const marker = random() < 0.6 ? uuid() : undefined;
      const ak = text('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 20, 20);
      const sk = text('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=', 20, 40);
      const token = random() < 0.5 ? text('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_', 40, 120) : undefined;
      const now = Date.UTC(2020, 0, 1) + Math.floor((random() * 2e11) / 1000) * 1000;

      const source = new CtsSource({
        instance: { id: 'cts', type: 'huawei-cts', region, schedule: 'rate(5 minutes)', lagSeconds: 300, start: { lookbackSeconds: 86_400 }, credentialSet: 'cts', credentialEnv: {}, enabled: true, options },
        credentials: { accessKeyId: ak, secretAccessKey: sk, ...(token ? { securityToken: token } : {}) },
        clock: new FakeClock(now),
        log: recordingLog().log,
      });
      const query = source.query(window, marker);
      const host = `cts.${region}.myhuaweicloud.com`;
      const path = `/v3/${projectId}/traces`;

      let credentials = new sdk!.BasicCredentials().withAk(ak).withSk(sk).withProjectId(projectId);
      if (token) credentials = credentials.withSecurityToken(token);
      const expected = await credentials.processAuthRequest(undefined, {
        endpoint: `https://${host}`,
        url: path,
        method: 'GET',
        headers: { 'content-type': 'application/json', 'X-Sdk-Date': sdkDate(now) },
        queryParams: Object.fromEntries(query),
        pathParams: {},
      });
      const ours = buildSignedHeaders({
        credentials: { accessKeyId: ak, secretAccessKey: sk, securityToken: token },
        projectId,
        method: 'GET',
        url: new URL(`https://${host}${path}?${query}`),
        body: '',
        now,
      });
      expect(ours.Authorization, `${path}?${query}`).toBe(expected.headers.Authorization);
    }
  });
});
