import { contentEventId } from '../../../core/event-id';
import { isoFromSeconds } from '../../../lib/civil-time';
import type { MappingContext } from '../../../core/ports/source';
import type { VendorDocument } from '../../../ecs/document';
import { compact, distinct, text } from '../../../ecs/fields';
import { parseBeijingTime } from './beijing-time';

export const SSL_TYPE = 'tencent-ssl';

/** One item of DescribeCertificateOperateLogs' `OperateLogs` (SDK `OperationLog`); every field may be null. */
export interface SslOperationLog {
  /** Free text, localized: "User [uin: 100017155920] deletes certificate [id: JiDVp1SG]". */
  Action?: string | null;
  /** "YYYY-MM-DD HH:mm:ss", Beijing time. */
  CreatedOn?: string | null;
  /** The owner (root) account. */
  Uin?: string | null;
  /** Who acted: the owner's or a sub-account's uin; "--" when no user is recorded. */
  SubAccountUin?: string | null;
  CertId?: string | null;
  /** The operation, e.g. `delete` (see OPERATION_TYPES). */
  Type?: string | null;
}

type EventType = 'access' | 'change' | 'creation' | 'deletion' | 'info';

/**
 * Every operation type the SDKs document for `OperationLog.Type` (26 of
 * them), plus `revoked`, which the API's own example returns. All map under
 * ECS category `configuration`, whose allowed types are exactly these five.
 * Keys are lower-cased: the documented list itself mixes cases (`Resubmit`).
 */
export const OPERATION_TYPES: Readonly<Record<string, EventType>> = {
  apply: 'creation', // apply for a free certificate
  applyvip: 'creation', // apply for a paid certificate
  issued: 'creation', // the CA issued the certificate
  upload: 'creation',
  uploadfromyunapi: 'creation', // uploaded through the cloud API
  transferin: 'creation',
  resubmit: 'creation', // re-apply for a certificate
  delete: 'deletion',
  transferout: 'deletion',
  download: 'access', // the certificate and, for most, its private key
  downloadconfirmletter: 'access',
  revoke: 'change', // revocation requested
  revoked: 'change', // revocation completed
  cancelrevoke: 'change',
  replace: 'change', // reissue
  cancel: 'change', // cancel the order
  updatealias: 'change',
  changeproject: 'change',
  uploadconfirmletter: 'change',
  editrevokeletter: 'change',
  renewvip: 'change',
  multiyearsrenew: 'change',
  submitinfo: 'change',
  refund: 'change',
  modifydownloadlimit: 'change',
  domainvalidationpassed: 'change',
};

/** CreatedOn (Beijing time) in unix seconds; throws when it is missing or malformed. */
export function sslEventTime(record: SslOperationLog): number {
  if (record === null || typeof record !== 'object') throw new Error('record is not an object');
  try {
    return parseBeijingTime(record.CreatedOn);
  } catch (error) {
    throw new Error(`CreatedOn: ${(error as Error).message}`);
  }
}

/** `[id: X]` / `[uin: X]` inside the Action text, for records that lack the structured fields. */
function fromActionText(action: string | undefined, key: 'id' | 'uin'): string | undefined {
  if (!action) return undefined;
  return text(new RegExp(`\\[${key}:\\s*([^\\]\\s]+)\\s*\\]`).exec(action)?.[1]);
}

/**
 * Map one operation log to ECS. Pure. `event.action` is the API's own `Type`
 * verbatim (`delete`, `cancelRevoke`), so a search or rule can quote
 * Tencent's documentation; an unknown type is kept, typed `info`.
 */
export function mapSslOperationLog(record: SslOperationLog, context: MappingContext): VendorDocument {
  const timestamp = isoFromSeconds(sslEventTime(record));
  const message = text(record.Action);
  const operation = text(record.Type);
  const eventType = (operation && OPERATION_TYPES[operation.toLowerCase()]) ?? 'info';
  const owner = text(record.Uin);
  const certificateId = text(record.CertId) ?? fromActionText(message, 'id');
  // "--" (and null) mean no user was recorded, e.g. for `issued` and `revoked`,
  // which the CA performs: no user.id then, rather than crediting the owner.
  const operator = record.SubAccountUin == null ? fromActionText(message, 'uin') : text(record.SubAccountUin);
  const operatorType = operator === undefined ? 'unrecorded' : owner === undefined ? undefined : operator === owner ? 'owner' : 'sub_account';

  return compact<VendorDocument>({
    '@timestamp': timestamp,
    message,
    event: {
      id: contentEventId(SSL_TYPE, record, context.occurrence),
      kind: 'event',
      category: ['configuration'],
      type: [eventType],
      action: operation ?? 'unknown',
      // The log records operations that took place; it has no failure entries.
      outcome: 'success',
      provider: 'ssl.tencentcloudapi.com',
    },
    cloud: { provider: 'tencentcloud', account: { id: owner }, service: { name: 'ssl' } },
    user: { id: operator },
    related: { user: distinct(operator) },
    cloudtap: {
      resource: { type: 'ssl-certificate', ids: distinct(certificateId) },
      tencent: {
        certificate_id: certificateId,
        operation_type: operation,
        operator_type: operatorType,
      },
    },
  });
}
