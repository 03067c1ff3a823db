import { lateDelay, Random, type GenerateBase } from '../../common/random';

/** One item of `traces`, shaped like the documented example (with `request`/`response` as the strings the reference types them). */
export interface CtsTraceRecord {
  trace_id: string;
  trace_name: string;
  trace_rating: 'normal' | 'warning' | 'incident';
  trace_type: 'ApiCall' | 'ConsoleAction' | 'SystemAction';
  request?: string;
  response?: string;
  code: string;
  api_version?: string;
  /** Epoch ms. */
  time: number;
  /** Epoch ms: CTS records a trace shortly after the operation. */
  record_time: number;
  user: {
    id: string;
    name: string;
    domain: { id: string; name: string };
    principal_is_root_user: 'true' | 'false';
  };
  service_type: string;
  resource_type: string;
  resource_name: string;
  resource_id: string;
  source_ip: string;
  request_id: string;
}

/** A record plus when the API starts returning it (late arrival). */
export interface SimulatedCtsTrace {
  record: CtsTraceRecord;
  /** Unix seconds; defaults to the record's time. */
  visibleAt?: number;
}

export type GenerateCtsOptions = GenerateBase;

/** Unix seconds (fractions dropped) of a trace's `time`. */
export const ctsRecordTime = (record: { time: number }): number => Math.floor(record.time / 1000);

const DOMAIN = { id: 'ded649d814464428ba89d04d7955c93e', name: 'acme-prod' };
interface Actor {
  id: string;
  name: string;
}
const ROOT: Actor = { id: 'ded649d814464428ba89d04d7955c93e', name: DOMAIN.name };
const USERS: Actor[] = [
  { id: '0f1e2d3c4b5a69788796a5b4c3d2e101', name: 'ops-alice' },
  { id: '0f1e2d3c4b5a69788796a5b4c3d2e102', name: 'ci-deployer' },
  { id: '0f1e2d3c4b5a69788796a5b4c3d2e103', name: 'secops-bob' },
  { id: '0f1e2d3c4b5a69788796a5b4c3d2e104', name: 'dba-carol' },
  { id: '0f1e2d3c4b5a69788796a5b4c3d2e105', name: 'readonly-dave' },
];
const OFFICE_IPS = ['203.0.113.10', '203.0.113.24', '198.51.100.7', '192.0.2.45'];

interface Operation {
  service: string;
  resourceType: string;
  traceName: string;
  traceType?: CtsTraceRecord['trace_type'];
  actor?: (r: Random) => Actor;
  /** The request, as the service logs it, and the resource it names. */
  build: (r: Random, actor: Actor) => { request?: string; name: string; id?: string };
  /** Share of calls that fail. */
  failure?: number;
  weight: number;
}

const json = (value: unknown) => JSON.stringify(value);
const user = (r: Random) => r.pick(USERS);
const other = (r: Random, actor: Actor) => r.pick(USERS.filter((u) => u.id !== actor.id));

/** Everyday operations, and (rarely, weight < 1) the ones the default rules exist for. */
const OPERATIONS: Operation[] = [
  { service: 'IAM', resourceType: 'user', traceName: 'login', traceType: 'ConsoleAction', build: (_r, a) => ({ name: a.name, id: a.id }), weight: 30 },
  { service: 'IAM', resourceType: 'user', traceName: 'logout', traceType: 'ConsoleAction', build: (_r, a) => ({ name: a.name, id: a.id }), weight: 20 },
  { service: 'IAM', resourceType: 'user', traceName: 'loginFailed', traceType: 'ConsoleAction', build: (_r, a) => ({ name: a.name, id: a.id }), weight: 1 },
  { service: 'ECS', resourceType: 'ecs', traceName: 'createServer', build: (r) => ({ name: `web-${r.token(4)}`, request: json({ server: { flavorRef: 's6.large.2', count: 1 } }) }), weight: 14 },
  { service: 'ECS', resourceType: 'ecs', traceName: 'deleteServer', build: (r) => ({ name: `web-${r.token(4)}` }), weight: 6 },
  { service: 'ECS', resourceType: 'ecs', traceName: 'rebootServer', build: (r) => ({ name: `app-${r.token(4)}` }), failure: 0.05, weight: 8 },
  { service: 'EVS', resourceType: 'evs', traceName: 'createVolume', build: (r) => ({ name: `data-${r.token(4)}`, request: json({ volume: { size: r.pick([40, 100, 500]) } }) }), weight: 6 },
  { service: 'VPC', resourceType: 'eip', traceName: 'deleteEip', build: (r) => ({ name: `192.0.2.${r.int(2, 250)}` }), failure: 0.05, weight: 3 },
  {
    service: 'VPC',
    resourceType: 'security-group-rules',
    traceName: 'createSecurity-group-rule',
    build: (r) => ({
      name: `sg-${r.token(6)}`,
      request: json({ security_group_rule: { direction: 'ingress', protocol: 'tcp', port_range_min: 443, port_range_max: 443, remote_ip_prefix: r.pick(['10.0.0.0/8', '172.16.0.0/12', '203.0.113.0/24']) } }),
    }),
    weight: 5,
  },
  {
    service: 'VPC',
    resourceType: 'security-group-rules',
    traceName: 'createSecurity-group-rule',
    build: (r) => ({
      name: `sg-${r.token(6)}`,
      request: json({ security_group_rule: { direction: 'ingress', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: r.pick(['0.0.0.0/0', '::/0']) } }),
    }),
    weight: 0.3,
  },
  { service: 'OBS', resourceType: 'bucket', traceName: 'setBucketAcl', build: (r) => ({ name: `logs-${r.token(5)}`, request: json({ 'x-obs-acl': 'private' }) }), weight: 3 },
  { service: 'OBS', resourceType: 'bucket', traceName: 'setBucketAcl', build: (r) => ({ name: `assets-${r.token(5)}`, request: json({ 'x-obs-acl': r.pick(['public-read', 'public-read-write']) }) }), weight: 0.3 },
  { service: 'OBS', resourceType: 'bucket', traceName: 'createBucket', build: (r) => ({ name: `backup-${r.token(5)}` }), weight: 3 },
  { service: 'IAM', resourceType: 'user', traceName: 'createCredential', build: (_r, a) => ({ name: a.name, id: a.id, request: json({ credential: { user_id: a.id, description: 'rotation' } }) }), weight: 2 },
  { service: 'IAM', resourceType: 'user', traceName: 'createCredential', build: (r, a) => { const target = other(r, a); return { name: target.name, id: target.id, request: json({ credential: { user_id: target.id, description: '' } }) }; }, weight: 0.3 },
  { service: 'IAM', resourceType: 'group', traceName: 'attachGroupPolicyV5', build: (r) => ({ name: 'ReadOnlyAccess', request: json({ group_id: r.token(32, '0123456789abcdef'), policy_urn: 'iam::system:policy/ReadOnlyAccess' }) }), weight: 2 },
  { service: 'IAM', resourceType: 'agency', traceName: 'attachAgencyPolicyV5', build: (r) => ({ name: 'AdministratorAccess', request: json({ agency_id: r.token(32, '0123456789abcdef'), policy_urn: 'iam::system:policy/AdministratorAccess' }) }), weight: 0.3 },
  { service: 'IAM', resourceType: 'MFA', traceName: 'BindMFA', traceType: 'ConsoleAction', build: (_r, a) => ({ name: a.name, id: a.id }), weight: 1 },
  { service: 'IAM', resourceType: 'MFA', traceName: 'UnBindMFA', traceType: 'ConsoleAction', build: (_r, a) => ({ name: a.name, id: a.id }), weight: 0.3 },
  { service: 'CTS', resourceType: 'tracker', traceName: 'updateTracker', build: () => ({ name: 'system', request: json({ tracker_type: 'system', tracker_name: 'system', status: 'enabled', is_lts_enabled: true }) }), weight: 1 },
  { service: 'CTS', resourceType: 'tracker', traceName: 'updateTracker', build: () => ({ name: 'system', request: json({ tracker_type: 'system', tracker_name: 'system', status: 'disabled' }) }), weight: 0.2 },
  { service: 'CTS', resourceType: 'tracker', traceName: 'deleteTracker', build: (r) => ({ name: `data-tracker-${r.token(4)}` }), weight: 0.2 },
  { service: 'KMS', resourceType: 'cmk', traceName: 'createKey', build: (r) => ({ name: `app-key-${r.token(4)}` }), weight: 1 },
  { service: 'KMS', resourceType: 'cmk', traceName: 'scheduleKeyDeletion', build: (r) => ({ name: `app-key-${r.token(4)}`, request: json({ key_id: r.uuid(), pending_days: '7' }) }), weight: 0.2 },
  { service: 'IAM', resourceType: 'user', traceName: 'login', traceType: 'ConsoleAction', actor: () => ROOT, build: (_r, a) => ({ name: a.name, id: a.id }), weight: 0.2 },
];
const TOTAL_WEIGHT = OPERATIONS.reduce((sum, op) => sum + op.weight, 0);

/** One realistic trace at `timeMs`. */
export function buildCtsTrace(r: Random, timeMs: number): CtsTraceRecord {
  const op = r.weighted(OPERATIONS, TOTAL_WEIGHT, OPERATIONS[0]!);
  const actor = op.actor ? op.actor(r) : user(r);
  const built = op.build(r, actor);
  const failed = op.traceName === 'loginFailed' || r.next() < (op.failure ?? 0);
  const code = op.traceName === 'loginFailed' ? '401' : failed ? r.pick(['400', '403', '409']) : '200';
  return {
    trace_id: r.uuid(),
    trace_name: op.traceName,
    trace_rating: failed ? 'warning' : 'normal',
    trace_type: op.traceType ?? r.pick(['ApiCall', 'ConsoleAction']),
    ...(built.request !== undefined ? { request: built.request } : {}),
    response: failed ? json({ error_code: `${op.service}.0400`, error_msg: 'The request failed.' }) : '',
    code,
    api_version: op.service === 'IAM' ? '3.0' : '1.0',
    time: timeMs,
    record_time: timeMs + r.int(50, 2_000),
    user: { id: actor.id, name: actor.name, domain: DOMAIN, principal_is_root_user: actor === ROOT ? 'true' : 'false' },
    service_type: op.service,
    resource_type: op.resourceType,
    resource_name: built.name,
    resource_id: built.id ?? r.uuid(),
    source_ip: r.pick(OFFICE_IPS),
    request_id: r.token(32, '0123456789abcdef'),
  };
}

/** Deterministic traces with times in [from, to] (ms inside the second drawn too), newest first; the same options give the same traces. */
export function generateCtsTraces(options: GenerateCtsOptions): SimulatedCtsTrace[] {
  // Its own stream for a seed: other APIs' generators draw their ids from Random(seed) too, and ids must not collide across APIs.
  const r = new Random((options.seed ^ 0x43545300) >>> 0);
  const events: SimulatedCtsTrace[] = [];
  for (let i = 0; i < options.count; i++) {
    const second = r.int(options.from, options.to);
    const record = buildCtsTrace(r, second * 1000 + r.int(0, 999));
    events.push({ record, visibleAt: second + (lateDelay(r, options.late) ?? 0) });
  }
  return events.sort((a, b) => b.record.time - a.record.time);
}
