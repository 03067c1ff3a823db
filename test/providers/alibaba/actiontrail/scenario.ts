import { actionTrailDefinition } from '../../../../shared/providers/alibaba/actiontrail/definition';
import { generateActionTrailEvents, LOOKUP_EVENTS, startActionTrailSimulator, type ActionTrailRecord, type SimulatedEvent } from '../../../../simulators/alibaba/actiontrail/simulator';
import type { Fault } from '../../../../simulators/alibaba/server';
import { eventsWithTwins, requestsOf, type FixtureFault, type ProviderFixture, type SimulatorHandle } from '../../../scenarios/fixture';

/**
 * Fake STS credentials, distinctive enough that a scenario can search every
 * log line, error and delivered record for them. The simulator requires the
 * security token with this key id, so all three travel on every request.
 */
const CREDENTIALS = {
  accessKeyId: 'STS.scenarioPlantedKeyId7Qx2',
  accessKeySecret: 'scenarioPlantedKeySecret-9f3Kd2LmQ8',
  securityToken: 'scenarioPlantedSecurityToken-Zr81Vb',
} as const;

/** A transport-level fault of the scenario contract as the Alibaba simulator acts it out. */
function toSimulatorFault(fault: Exclude<FixtureFault, { kind: 'malformed' }>): Fault {
  const action = LOOKUP_EVENTS.action;
  switch (fault.kind) {
    case 'throttle':
      return { kind: 'throttle', times: fault.times, action };
    case 'server-error':
      return { kind: 'internal', times: fault.times, action };
    case 'slow':
      return { kind: 'slow', delayMs: fault.delayMs, times: fault.times, action };
    case 'truncated':
    case 'reset':
      return { kind: fault.kind, times: fault.times, action };
  }
}

/** `count` events in one second, equal in every field but their ids (a retried call logged again and again). */
function sameSecond(second: number, count: number, seed: number): SimulatedEvent[] {
  const generated = generateActionTrailEvents({ count, from: second, to: second, seed });
  const original = generated[0]!.record;
  return generated.map(({ record: { eventId } }) => ({ record: { ...original, eventId, requestId: eventId } satisfies ActionTrailRecord }));
}

/** Alibaba Cloud ActionTrail `LookupEvents` on the in-process simulator, its 2 req/s limit enforced. */
export const scenarioFixture: ProviderFixture = {
  type: actionTrailDefinition.type,
  definition: actionTrailDefinition,
  // The source always asks MaxResults 50, the documented maximum, which the simulator enforces.
  pageSize: LOOKUP_EVENTS.maxResults,
  pageBoundary: 'anywhere',
  providerIds: true,
  async start({ now }): Promise<SimulatorHandle> {
    const { server, actiontrail } = await startActionTrailSimulator({ credentials: [{ ...CREDENTIALS }], now, enforceRateLimit: true });
    // A malformed page is a real answer (HTTP 200, RequestId) of the wrong shape: `Events` an object
    // wrapping the list, as an XML-to-JSON gateway writes it. Read as no events it would end the window
    // early, so it must fail the run, naming the request. The simulator's own `malformed` fault (an
    // HTML page) carries no request id at all.
    let malformedLeft = 0;
    let malformedActed = 0;
    server.register(LOOKUP_EVENTS.action, {
      version: LOOKUP_EVENTS.version,
      rateLimitPerSecond: LOOKUP_EVENTS.requestsPerSecond,
      handler: (context) => {
        const response = actiontrail.lookupEvents(context);
        if (malformedLeft === 0) return response;
        malformedLeft--;
        malformedActed++;
        return { ...response, Events: { Event: response.Events } };
      },
    });
    return {
      endpoint: server.url,
      instance: { region: 'cn-hangzhou', options: {} },
      credentials: { ...CREDENTIALS },
      addEvents: (spec) => actiontrail.addEvents(eventsWithTwins(spec, generateActionTrailEvents, sameSecond)),
      records: () => actiontrail.records,
      eventTime: (record) => Date.parse((record as ActionTrailRecord).eventTime) / 1000,
      inject: (fault) => {
        if (fault.kind === 'malformed') malformedLeft += fault.times;
        else server.faults.push(toSimulatorFault(fault));
      },
      ...requestsOf(server, LOOKUP_EVENTS.action, () => ({ malformed: malformedActed })),
      close: () => server.close(),
    };
  },
};
