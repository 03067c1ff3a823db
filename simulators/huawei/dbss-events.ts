/** One item of `operate_log`, shaped like the documented example. */
export interface DbssEventRecord {
  /** 20 characters, like the documented "1LJP-HgBCwCqSg3BVuAp". */
  id: string;
  user: string;
  /** "yyyy-MM-dd HH:mm:ss", UTC. */
  time: string;
  function: string;
  action: string;
  /** The operated object; sometimes with a stray trailing space, as in the example. */
  name: string;
  description: string;
  result: 'success' | 'fail';
}

/** A record plus when the API starts returning it (late arrival). */
export interface SimulatedDbssEvent {
  record: DbssEventRecord;
  /** Unix seconds; defaults to the record's time. */
  visibleAt?: number;
}

export interface GenerateDbssOptions {
  count: number;
  /** Unix seconds, inclusive. */
  from: number;
  /** Unix seconds, inclusive. */
  to: number;
  seed: number;
  late?: { fraction: number; maxDelaySeconds: number };
}

/** "yyyy-MM-dd HH:mm:ss" (UTC) <-> unix seconds. */
export const formatDbssTime = (seconds: number): string => new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
export const dbssRecordTime = (record: { time: string }): number => Date.parse(`${record.time.replace(' ', 'T')}Z`) / 1000;

interface Operation {
  function: string;
  action: 'Create' | 'Update' | 'Delete' | 'Download' | 'Operate';
  description: string;
  object: (r: Random) => string;
  weight: number;
}

const db = (r: Random) => `db${String(r.int(1, 40)).padStart(2, '0')}`;
const OPERATIONS: Operation[] = [
  { function: 'Databases', action: 'Create', description: 'Create a database.', object: db, weight: 6 },
  { function: 'Databases', action: 'Delete', description: 'Delete a database.', object: db, weight: 2 },
  { function: 'Database list.', action: 'Update', description: 'This API is used to disable the audit agent.', object: db, weight: 4 },
  { function: 'Database list.', action: 'Update', description: 'This API is used to enable the audit agent.', object: db, weight: 5 },
  { function: 'Agents', action: 'Create', description: 'Add an audit agent.', object: (r) => `agent-${r.token(6)}`, weight: 3 },
  { function: 'Agents', action: 'Delete', description: 'Delete an audit agent.', object: (r) => `agent-${r.token(6)}`, weight: 1 },
  { function: 'Risk rules', action: 'Update', description: 'Modify a risk rule.', object: (r) => r.pick(['Database drag', 'Bulk delete', 'Privilege escalation']), weight: 3 },
  { function: 'Risk rules', action: 'Operate', description: 'Disable a risk rule.', object: (r) => r.pick(['Database drag', 'Bulk delete']), weight: 1 },
  { function: 'SQL injection rules', action: 'Operate', description: 'Enable an SQL injection rule.', object: (r) => `sql-rule-${r.int(1, 30)}`, weight: 2 },
  { function: 'Privacy data protection', action: 'Update', description: 'Modify the data masking rule.', object: (r) => r.pick(['ID card', 'Phone number', 'Bank card']), weight: 2 },
  { function: 'Reports', action: 'Download', description: 'Download a report.', object: (r) => `report-${r.int(1000, 9999)}.pdf`, weight: 3 },
  { function: 'Alarm notifications', action: 'Update', description: 'Modify the alarm notification settings.', object: () => 'alarm-notification', weight: 1 },
  { function: 'Backup and restoration', action: 'Update', description: 'Modify the automatic backup settings.', object: () => 'audit-log-backup', weight: 1 },
];
const TOTAL_WEIGHT = OPERATIONS.reduce((sum, op) => sum + op.weight, 0);
const USERS = ['hby-test', 'dbss-admin', 'secops', 'ops-readonly', 'ci-deployer'];
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** mulberry32: tiny, seedable, good enough for fixtures. */
export class Random {
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
  token(length: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'): string {
    let out = '';
    while (out.length < length) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }
}

function pickOperation(r: Random): Operation {
  let ticket = r.next() * TOTAL_WEIGHT;
  for (const op of OPERATIONS) {
    ticket -= op.weight;
    if (ticket < 0) return op;
  }
  return OPERATIONS[0]!;
}

/** One realistic record at `time` (unix seconds). */
export function buildDbssRecord(r: Random, time: number): DbssEventRecord {
  const op = pickOperation(r);
  const name = op.object(r);
  return {
    id: r.token(20, ID_ALPHABET),
    user: r.pick(USERS),
    time: formatDbssTime(time),
    function: op.function,
    action: op.action,
    // The documented example has "db01 " with a trailing space.
    name: r.next() < 0.2 ? `${name} ` : name,
    description: op.description,
    result: r.next() < 0.08 ? 'fail' : 'success',
  };
}

/** Deterministic records with times in [from, to], newest first; the same options give the same records. */
export function generateDbssEvents(options: GenerateDbssOptions): SimulatedDbssEvent[] {
  const r = new Random(options.seed);
  const events: SimulatedDbssEvent[] = [];
  for (let i = 0; i < options.count; i++) {
    const time = r.int(options.from, options.to);
    const record = buildDbssRecord(r, time);
    const late = options.late && r.next() < options.late.fraction;
    events.push({ record, visibleAt: late ? time + r.int(1, options.late!.maxDelaySeconds) : time });
  }
  return events.sort((a, b) => dbssRecordTime(b.record) - dbssRecordTime(a.record));
}
