import { createRequire } from 'node:module';
import type { Log } from '../../../shared/lib/logger';

/** Obviously fake identifiers and keys shared by the Huawei tests. */
export const PROJECT_ID = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';
export const OTHER_PROJECT_ID = '99999999999999999999999999999999';
export const INSTANCE_ID = '8f2c9a61d4b7e05312fa6c8b9d0e7a41in01';
export const AKSK = {
  accessKeyId: 'FAKEAKFORTESTS000001',
  secretAccessKey: 'fakeSecretAccessKeyForTestsOnly0123456789',
};
export const TEMP_AKSK = {
  accessKeyId: 'FAKETEMPAKFORTESTS01',
  secretAccessKey: 'fakeTempSecretKeyForTestsOnly9876543210',
  securityToken: 'fakeSecurityTokenForTestsOnly-abcdefghijklmnopqrstuvwxyz',
};
export const IAM_USER = {
  domainName: 'fake-domain',
  userName: 'cloudtap-reader',
  password: 'fakePasswordForTests!1',
  projects: [PROJECT_ID],
};

/** A Log that keeps everything, to assert on what reached it. */
export function recordingLog(): { log: Log; entries: unknown[] } {
  const entries: unknown[] = [];
  const push = (...entry: unknown[]) => entries.push(entry);
  return { log: { debug: push, info: push, warn: push, error: push }, entries };
}

export async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

interface SdkHttpRequest {
  endpoint: string;
  url: string;
  method: string;
  headers: Record<string, string>;
  data?: unknown;
  queryParams: Record<string, string | string[]>;
  pathParams: Record<string, string>;
}
interface SdkBasicCredentials {
  withAk(ak: string): SdkBasicCredentials;
  withSk(sk: string): SdkBasicCredentials;
  withProjectId(projectId: string): SdkBasicCredentials;
  withSecurityToken(token: string): SdkBasicCredentials;
  processAuthRequest(client: unknown, request: SdkHttpRequest): Promise<SdkHttpRequest>;
}

/** The official Node SDK's signer, when installed (a devDependency), as an oracle for the signing tests. */
export function loadHuaweiSdkSigner(): { BasicCredentials: new () => SdkBasicCredentials } | undefined {
  try {
    return createRequire(import.meta.url)('@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials');
  } catch {
    return undefined;
  }
}
