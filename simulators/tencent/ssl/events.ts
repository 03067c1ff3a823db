import { formatBeijingTime, parseBeijingTime } from '../../../shared/providers/tencent/ssl/beijing-time';
import { lateDelay, Random, type GenerateBase } from '../../common/random';

/** One item of `OperateLogs`, shaped (and key-ordered) like the documented example. */
export interface SslOperationLogRecord {
  Action: string;
  /** "YYYY-MM-DD HH:mm:ss", Beijing time. */
  CreatedOn: string;
  Uin: string;
  /** The acting uin, or "--" when none is recorded (the CA's own steps). */
  SubAccountUin: string;
  CertId: string;
  Type: string;
}

/** A record plus when the API starts returning it (late arrival). */
export interface SimulatedSslEvent {
  record: SslOperationLogRecord;
  /** Unix seconds; defaults to CreatedOn. */
  visibleAt?: number;
}

export interface GenerateSslOptions extends GenerateBase {
  /** Additionally, this many pairs of records identical in every field. */
  identicalPairs?: number;
  /** The owner (root) uin; default 100000000001. */
  accountId?: string;
}

interface Operation {
  type: string;
  /** The English Action text's verb phrase, before "certificate [id: ...]". */
  verb: string;
  weight: number;
  /** Performed by the CA or the platform: no user recorded. */
  system?: boolean;
}

// Every documented type, weighted roughly as a busy account would see them.
const OPERATIONS: Operation[] = [
  { type: 'download', verb: 'downloads', weight: 20 },
  { type: 'apply', verb: 'applies for', weight: 12 },
  { type: 'issued', verb: 'issues', weight: 10, system: true },
  { type: 'upload', verb: 'uploads', weight: 10 },
  { type: 'uploadFromYunAPI', verb: 'uploads through the API', weight: 8 },
  { type: 'delete', verb: 'deletes', weight: 8 },
  { type: 'updateAlias', verb: 'renames', weight: 6 },
  { type: 'domainValidationPassed', verb: 'passes domain validation for', weight: 6, system: true },
  { type: 'replace', verb: 'reissues', weight: 3 },
  { type: 'revoke', verb: 'revokes', weight: 2 },
  { type: 'revoked', verb: 'completes the revocation of', weight: 2, system: true },
  { type: 'changeProject', verb: 'changes the project of', weight: 2 },
  { type: 'applyVIP', verb: 'applies for paid', weight: 2 },
  { type: 'renewVIP', verb: 'renews', weight: 2 },
  { type: 'cancelRevoke', verb: 'cancels the revocation of', weight: 1 },
  { type: 'uploadConfirmLetter', verb: 'uploads the confirmation letter of', weight: 1 },
  { type: 'cancel', verb: 'cancels the order of', weight: 1 },
  { type: 'downloadConfirmLetter', verb: 'downloads the confirmation letter of', weight: 1 },
  { type: 'editRevokeLetter', verb: 'uploads the revocation letter of', weight: 1 },
  { type: 'submitInfo', verb: 'submits information for', weight: 1 },
  { type: 'transferIn', verb: 'transfers in', weight: 1 },
  { type: 'transferOut', verb: 'transfers out', weight: 1 },
  { type: 'refund', verb: 'requests a refund for', weight: 1 },
  { type: 'multiYearsRenew', verb: 'renews for several years', weight: 1 },
  { type: 'modifyDownloadLimit', verb: 'changes the download limit of', weight: 1 },
  { type: 'Resubmit', verb: 'resubmits', weight: 1 },
];
const TOTAL_WEIGHT = OPERATIONS.reduce((sum, operation) => sum + operation.weight, 0);
const CERT_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

const pickOperation = (r: Random): Operation => r.weighted(OPERATIONS, TOTAL_WEIGHT, OPERATIONS[0]!);

/** Eight mixed-case characters, like `JiDVp1SG`. */
function certId(r: Random): string {
  return Array.from({ length: 8 }, () => CERT_ALPHABET[r.int(0, CERT_ALPHABET.length - 1)]).join('');
}

/** Unix seconds of a record's CreatedOn, as the simulator dates it. */
export const sslRecordTime = (record: SslOperationLogRecord): number => parseBeijingTime(record.CreatedOn);

/**
 * Deterministic, realistic operation logs with CreatedOn in [from, to],
 * newest first: the same options always give the same records.
 */
export function generateSslEvents(options: GenerateSslOptions): SimulatedSslEvent[] {
  const r = new Random(options.seed);
  const owner = options.accountId ?? '100000000001';
  const certificates = Array.from({ length: 24 }, () => certId(r));
  const operators = [owner, ...[101, 102, 103, 104].map((n) => String(BigInt(owner) + BigInt(n)))];
  const build = (): SimulatedSslEvent => {
    const time = r.int(options.from, options.to);
    const operation = pickOperation(r);
    const operator = operation.system ? '--' : r.next() < 0.3 ? owner : r.pick(operators.slice(1));
    const cert = r.pick(certificates);
    const record: SslOperationLogRecord = {
      Action: `User [uin: ${operator}] ${operation.verb} certificate [id: ${cert}]`,
      CreatedOn: formatBeijingTime(time),
      Uin: owner,
      SubAccountUin: operator,
      CertId: cert,
      Type: operation.type,
    };
    return { record, visibleAt: time + (lateDelay(r, options.late) ?? 0) };
  };
  const events = Array.from({ length: options.count }, build);
  for (let i = 0; i < (options.identicalPairs ?? 0); i++) {
    const event = build();
    events.push(event, { record: { ...event.record }, visibleAt: event.visibleAt });
  }
  return events.sort((a, b) => sslRecordTime(b.record) - sslRecordTime(a.record));
}
