import { ctsDefinition } from '../../../../shared/providers/huawei/cts/definition';
import { CtsSimulator, LIST_TRACES, ctsRecordTime, generateCtsTraces, type CtsTraceRecord, type SimulatedCtsTrace } from '../../../../simulators/huawei/cts/simulator';
import { mulberry32 as seeded } from '../../../../simulators/common/random';
import { HuaweiApiServer, type Fault } from '../../../../simulators/huawei/server';
import { tallyFaults, type FixtureFault, type ProviderFixture, type SimulatorHandle } from '../../../scenarios/fixture';

const PROJECT_ID = '7a2f0e2d3b4a69788796a5b4c3d2e1f0';

/**
 * Fake temporary credentials, distinctive enough to search every log line,
 * error and record for. The simulator requires the security token with this
 * AK, so all three values travel on every request.
 */
const CREDENTIALS = {
  accessKeyId: 'CTSSCENARIOPLANTEDAK9',
  secretAccessKey: 'ctsScenarioPlantedSecretAccessKey-4hQ7',
  securityToken: 'ctsScenarioPlantedSecurityToken-Wm52',
} as const;

/** Traces a page: the instance's `pageSize` (the request's `limit`). */
const PAGE_SIZE = 50;

/** A transport-level fault as the Huawei simulator acts it out. */
function toSimulatorFault(fault: Exclude<FixtureFault, { kind: 'malformed' }>): Fault {
  const route = LIST_TRACES.route;
  switch (fault.kind) {
    case 'throttle':
      return { kind: 'throttle', times: fault.times, route };
    case 'server-error':
      return { kind: 'error', status: 500, code: 'CTS.0005', message: 'Failed to read data.', times: fault.times, route };
    case 'slow':
      return { kind: 'slow', delayMs: fault.delayMs, times: fault.times, route };
    case 'truncated':
    case 'reset':
      return { kind: fault.kind, times: fault.times, route };
  }
}

/**
 * CTS traces carry an id, so the hardest "identical" case is `count` traces in
 * one second (and one millisecond) equal in every field but the id.
 */
function sameSecond(second: number, count: number, seed: number): SimulatedCtsTrace[] {
  const generated = generateCtsTraces({ count, from: second, to: second, seed });
  const original = generated[0]!.record;
  return generated.map(({ record: { trace_id } }) => ({ record: { ...original, trace_id, time: second * 1000 } satisfies CtsTraceRecord }));
}

/** Huawei Cloud CTS management traces on the in-process simulator, AK/SK mode with temporary credentials. */
export const scenarioFixture: ProviderFixture = {
  type: ctsDefinition.type,
  definition: ctsDefinition,
  pageSize: PAGE_SIZE,
  pageBoundary: 'anywhere',
  providerIds: true,
  async start({ now }): Promise<SimulatorHandle> {
    const server = await HuaweiApiServer.start({ credentials: [{ ...CREDENTIALS, projects: [PROJECT_ID] }], now });
    const cts = new CtsSimulator();
    cts.addProject(PROJECT_ID);
    // A malformed page is a real answer (HTTP 200, JSON, X-Request-Id) whose
    // `traces` is not a list: the source must fail the run naming the request.
    let malformedLeft = 0;
    let malformedActed = 0;
    // CTS publishes no rate; the simulator holds the client to its assumed pace (APIGW.0308 beyond it).
    cts.install(server, {
      enforceRateLimit: true,
      bend: (body) => {
        if (malformedLeft === 0) return undefined;
        malformedLeft--;
        malformedActed++;
        return { meta_data: body.meta_data, traces: { items: body.traces } };
      },
    });
    return {
      endpoint: server.url,
      instance: { region: 'cn-north-4', options: { projectId: PROJECT_ID, authMode: 'aksk', pageSize: PAGE_SIZE } },
      credentials: { ...CREDENTIALS },
      addEvents({ count, from, to, seed, late, identicalPairs = 0, sameSecond: run }) {
        const events = count > 0 ? generateCtsTraces({ count, from, to, seed, late }) : [];
        const random = seeded(seed ^ 0x5eed);
        for (let pair = 0; pair < identicalPairs; pair++) {
          const second = from + Math.floor(random() * (to - from + 1));
          events.push(...sameSecond(second, 2, (seed * 7919 + pair + 1) >>> 0));
        }
        if (run) events.push(...sameSecond(run.at, run.count, (seed * 7919) >>> 0));
        cts.addTraces(PROJECT_ID, events);
      },
      records: () => cts.traces(PROJECT_ID).map((record) => structuredClone(record) as unknown),
      eventTime: (record) => ctsRecordTime(record as CtsTraceRecord),
      inject: (fault) => {
        if (fault.kind === 'malformed') malformedLeft += fault.times;
        else server.faults.push(toSimulatorFault(fault));
      },
      requestCount: () => server.requestsFor(LIST_TRACES.route).length,
      faultsActed: () =>
        tallyFaults(
          server.requestsFor(LIST_TRACES.route).map((request) => (request.outcome === 'fault:error' ? 'fault:internal' : request.outcome)),
          { malformed: malformedActed },
        ),
      requestIds: () => server.requestsFor(LIST_TRACES.route).map((request) => request.requestId),
      close: () => server.close(),
    };
  },
};
