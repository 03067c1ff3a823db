import type { DispatchEntry } from '../../shared/runtime/invocation';

/** One enabled instance as the dispatch table holds it. */
export function dispatchEntry(id: string, schedule: string, options: { type?: string; lagSeconds?: number } = {}): DispatchEntry {
  return {
    source: {
      id,
      type: options.type ?? 'tencent-cloudaudit',
      schedule,
      lagSeconds: options.lagSeconds ?? 600,
      start: { lookbackSeconds: 3600 },
      credentialSet: 'tencent-prod',
      credentialEnv: {},
      enabled: true,
      options: {},
    },
    secretName: 'cloudtap-test/tencent-prod',
  };
}
