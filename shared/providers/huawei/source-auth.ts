import type { SourceFactoryArgs } from '../definition';
import type { HuaweiClientAuth } from './client';
import { resolveHuaweiAuth, type HuaweiAuthMode, type HuaweiSourceCredentials } from './credentials';
import { IamTokenProvider } from './iam-token';

/** The options every Huawei source shares for signing in. */
export interface HuaweiAuthOptions {
  projectId: string;
  authMode: HuaweiAuthMode;
  iamEndpoint?: string;
}

/**
 * How a Huawei source's client signs in: AK/SK signing, or IAM password
 * tokens scoped to the instance's project from its region's IAM endpoint
 * (or `iamEndpoint`). Incomplete or ambiguous credentials are a ConfigError.
 */
export function huaweiSourceAuth(args: SourceFactoryArgs<HuaweiAuthOptions, HuaweiSourceCredentials>): HuaweiClientAuth {
  const { instance } = args;
  const { options } = instance;
  const resolved = resolveHuaweiAuth(args.credentials, options.authMode, instance.id);
  if (resolved.mode === 'aksk') return { mode: 'aksk', credentials: resolved };
  return {
    mode: 'token',
    tokens: new IamTokenProvider({
      endpoint: options.iamEndpoint ?? `https://iam.${instance.region}.myhuaweicloud.com`,
      credentials: resolved,
      projectId: options.projectId,
      timeoutMs: args.timeoutMs,
      clock: args.clock,
      log: args.log,
    }),
  };
}
