import { lateDelay, Random, type GenerateBase } from '../../common/random';

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

export interface GenerateOperationEventsOptions extends GenerateBase {
  /** Pairs of records identical in every field (two equal calls in one second): 2 records each, besides `count`. */
  identicalPairs?: number;
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

const pickAction = (r: Random): ActionSpec => r.weighted(ACTIONS, TOTAL_WEIGHT, ACTIONS[ACTIONS.length - 1]!);

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
    const delay = lateDelay(r, options.late);
    events.push(delay === undefined ? { record } : { record, visibleAt: record.OperateTime + delay });
  }
  // Two equal calls in one second (a retried script): nothing tells them apart.
  for (let i = 0; i < (options.identicalPairs ?? 0); i++) {
    const record = generate();
    events.push({ record }, { record: structuredClone(record) });
  }
  return events.sort((a, b) => a.record.OperateTime - b.record.OperateTime);
}
