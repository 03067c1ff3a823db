import type { SourceFactoryArgs } from '../definition';
import { HuaweiClient, type HuaweiClientAuth } from './client';
import { resolveHuaweiAuth, type HuaweiAuthMode, type HuaweiSourceCredentials } from './credentials';
import { IamTokenProvider } from './iam-token';

/** The options every Huawei source shares for signing in. */
export interface HuaweiAuthOptions {
  projectId: string;
  authMode: HuaweiAuthMode;
  iamEndpoint?: string;
}

/**
 * The client of one Huawei source instance: its endpoint (the configured one,
 * else `defaultEndpoint`), its sign-in, and its pace (the documented
 * `requestsPerSecond` unless the caller lifts it, or a shared pacer).
 */
export function huaweiSourceClient(
  args: SourceFactoryArgs<HuaweiAuthOptions, HuaweiSourceCredentials>,
  api: { service: string; defaultEndpoint: string; requestsPerSecond: number },
): HuaweiClient {
  return new HuaweiClient({
    service: api.service,
    endpoint: args.instance.endpoint ?? api.defaultEndpoint,
    projectId: args.instance.options.projectId,
    auth: huaweiSourceAuth(args),
    requestsPerSecond: args.requestsPerSecond ?? api.requestsPerSecond,
    pacer: args.pacer,
    timeoutMs: args.timeoutMs,
    clock: args.clock,
    log: args.log,
  });
}

/**
 * How a Huawei source's client signs in: AK/SK signing, or IAM password
 * tokens scoped to the instance's project from its region's IAM endpoint
 * (or `iamEndpoint`). Incomplete or ambiguous credentials are a ConfigError.
 */
function huaweiSourceAuth(args: SourceFactoryArgs<HuaweiAuthOptions, HuaweiSourceCredentials>): HuaweiClientAuth {
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
