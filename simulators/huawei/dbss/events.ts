import { lateDelay, Random as SeededRandom, type GenerateBase } from '../../common/random';

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

export type GenerateDbssOptions = GenerateBase;

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

/**
 * The shared generator, but `token` draws letters first by default, as this
 * module's own copy did: the same seeds keep giving the same records.
 */
export class Random extends SeededRandom {
  override token(length: number, alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789'): string {
    return super.token(length, alphabet);
  }
}

const pickOperation = (r: Random): Operation => r.weighted(OPERATIONS, TOTAL_WEIGHT, OPERATIONS[0]!);

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
    events.push({ record, visibleAt: time + (lateDelay(r, options.late) ?? 0) });
  }
  return events.sort((a, b) => dbssRecordTime(b.record) - dbssRecordTime(a.record));
}
