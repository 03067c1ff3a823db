/** One item of GetUserOperationEvents' `Events`, shaped like the documented example. */
export interface UserOperationEventRecord {
  Api: string;
  IsSuccess: boolean;
  /** Unix seconds. */
  OperateTime: number;
  /** Empty for account-wide (IAM) operations. */
  Region: string;
  RelatedResource: { ResourceId: string; ResourceName: string }[];
  UserEmail: string;
  UserName: string;
}

/** An event plus when the API starts returning it, and the project it belongs to. */
export interface SimulatedOperationEvent {
  record: UserOperationEventRecord;
  /** Unix seconds; defaults to OperateTime. */
  visibleAt?: number;
  /** Defaults to the simulator's default project. */
  projectId?: string;
}

export interface GenerateOperationEventsOptions {
  count: number;
  /** Unix seconds, inclusive. */
  from: number;
  /** Unix seconds, inclusive. */
  to: number;
  seed: number;
  /** Share of events that show up late, and by up to how many seconds. */
  late?: { fraction: number; maxDelaySeconds: number };
  /** Pairs of records identical in every field (two equal calls in one second): 2 records each, besides `count`. */
  identicalPairs?: number;
}

/** mulberry32: small, fast and deterministic. */
class Random {
  constructor(private state: number) {}
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  token(length: number): string {
    let out = '';
    while (out.length < length) out += Math.floor(this.next() * 36).toString(36);
    return out;
  }
}

type Resource = (r: Random) => { ResourceId: string; ResourceName: string };
const named = (prefix: string, names: readonly string[]): Resource => (r) => ({ ResourceId: `${prefix}-${r.token(8)}`, ResourceName: r.pick(names) });
const host = named('uhost', ['web-01', 'web-02', 'api-prod', 'batch-worker', 'bastion']);
const eip = named('eip', ['eip-web', 'eip-api', '']);
const disk = named('bsm', ['data-disk', 'log-disk', 'backup']);
const ulb = named('ulb', ['lb-public', 'lb-internal']);
const udb = named('udb', ['orders-mysql', 'users-mysql']);
const firewall = named('firewall', ['web-firewall', 'default-firewall']);
const subUser = (r: Random) => ({ ResourceId: r.pick(['dev-bob', 'ops-carol', 'ci-robot', 'audit-dan']), ResourceName: '' });
const accessKey = (r: Random) => ({ ResourceId: `${r.token(8)}-${r.token(4)}-${r.token(4)}`, ResourceName: 'api key' });

interface ActionSpec {
  api: string;
  weight: number;
  resources: Resource[];
  /** Account-wide: no Region. */
  global?: boolean;
}

const ACTIONS: ActionSpec[] = [
  { api: 'CreateUHostInstance', weight: 8, resources: [host] },
  { api: 'StopUHostInstance', weight: 6, resources: [host] },
  { api: 'StartUHostInstance', weight: 6, resources: [host] },
  { api: 'RebootUHostInstance', weight: 5, resources: [host] },
  { api: 'TerminateUHostInstance', weight: 3, resources: [host] },
  { api: 'ResetUHostInstancePassword', weight: 2, resources: [host] },
  { api: 'ModifyUHostInstanceName', weight: 3, resources: [host] },
  { api: 'AllocateEIP', weight: 4, resources: [eip] },
  { api: 'BindEIP', weight: 4, resources: [eip, host] },
  { api: 'UnBindEIP', weight: 2, resources: [eip, host] },
  { api: 'ReleaseEIP', weight: 2, resources: [eip] },
  { api: 'UpdateFirewall', weight: 4, resources: [firewall] },
  { api: 'GrantFirewall', weight: 2, resources: [firewall, host] },
  { api: 'CreateUDisk', weight: 3, resources: [disk] },
  { api: 'AttachUDisk', weight: 3, resources: [disk, host] },
  { api: 'DeleteUDisk', weight: 1, resources: [disk] },
  { api: 'CreateULB', weight: 1, resources: [ulb] },
  { api: 'DeleteULB', weight: 1, resources: [ulb] },
  { api: 'BackupUDBInstance', weight: 3, resources: [udb] },
  { api: 'DeleteUDBInstance', weight: 1, resources: [udb] },
  { api: 'CreateUser', weight: 1, resources: [subUser], global: true },
  { api: 'DeleteUser', weight: 1, resources: [subUser], global: true },
  { api: 'CreateAccessKey', weight: 1, resources: [accessKey], global: true },
  { api: 'AttachPoliciesToUser', weight: 1, resources: [subUser], global: true },
  { api: 'UpdateLoginProfile', weight: 1, resources: [subUser], global: true },
];
const TOTAL_WEIGHT = ACTIONS.reduce((sum, action) => sum + action.weight, 0);
const REGIONS = ['cn-bj2', 'cn-bj2', 'cn-sh2', 'cn-sh2', 'cn-gd', 'hk', 'sg', 'us-ca', 'th-bkk'] as const;
const USERS = [
  { UserName: 'root', UserEmail: 'owner@example.com' },
  { UserName: 'ops-carol', UserEmail: 'carol@example.com' },
  { UserName: 'dev-bob', UserEmail: 'bob@example.com' },
  { UserName: 'ci-robot', UserEmail: 'ci-robot@example.com' },
] as const;

function pickAction(r: Random): ActionSpec {
  let ticket = r.next() * TOTAL_WEIGHT;
  for (const action of ACTIONS) {
    ticket -= action.weight;
    if (ticket < 0) return action;
  }
  return ACTIONS[ACTIONS.length - 1]!;
}

/** Deterministic, realistic operation-log events for [from, to], oldest first. */
export function generateOperationEvents(options: GenerateOperationEventsOptions): SimulatedOperationEvent[] {
  const r = new Random(options.seed);
  const events: SimulatedOperationEvent[] = [];
  const generate = (): UserOperationEventRecord => {
    const action = pickAction(r);
    const user = r.pick(USERS);
    return {
      Api: action.api,
      IsSuccess: r.next() >= 0.08,
      OperateTime: r.int(options.from, options.to),
      Region: action.global ? '' : r.pick(REGIONS),
      RelatedResource: action.resources.map((resource) => resource(r)),
      UserEmail: user.UserEmail,
      UserName: user.UserName,
    };
  };
  for (let i = 0; i < options.count; i++) {
    const record = generate();
    const late = options.late && r.next() < options.late.fraction;
    events.push(late ? { record, visibleAt: record.OperateTime + r.int(1, options.late!.maxDelaySeconds) } : { record });
  }
  // Two equal calls in one second (a retried script): nothing tells them apart.
  for (let i = 0; i < (options.identicalPairs ?? 0); i++) {
    const record = generate();
    events.push({ record }, { record: structuredClone(record) });
  }
  return events.sort((a, b) => a.record.OperateTime - b.record.OperateTime);
}
