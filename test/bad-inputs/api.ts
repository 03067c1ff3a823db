/** How a provider API's answers are shaped, for the bad-input cases to bend them (one per API, in its test folder). */
import { parseJson } from '../../shared/providers/tencent/json';
import type { ProviderFixture } from '../scenarios/fixture';
import type { ProxiedAnswer } from './tampering-proxy';

export type Json = Record<string, any>;

/**
 * What the bad-input cases expect of one API, written out as literals in its
 * test folder (so a change to a client shows, and a new API brings its own).
 */
export interface ApiFacts {
  /** Attempts per call for a retryable failure (BI-03): the client's default. */
  attempts: number;
  /** Its credential fields, and the error its gateway answers for a bad signature and for an unknown key. */
  keys: { id: string; secret: string; badSignature: [code: string, text: RegExp]; unknownKey: [code: string, text: RegExp] };
  /** Fields that make a record's mapping overflow a Firehose record in a non-core part (a message, a decoded request, a resource list): `bytes` long. */
  bigMappedField(good: Json, bytes: number): Json;
  /** What its source says of a page token in the cursor that it did not write. */
  unusableToken: RegExp;
  /** A value of the wrong type for its time field. */
  wrongTypedTime: unknown;
}

/** One provider API and how its answers are shaped. */
export interface Api {
  type: string;
  facts: ApiFacts;
  fixture: ProviderFixture;
  /** The field of a record that dates it. */
  timeField: string;
  /** How the API writes unix seconds `seconds` in that field. */
  formatTime(seconds: number): unknown;
  /** A free-text field of a record (a user name, a description). */
  textField: string;
  /** The answer's list of records, as a schema error names it. */
  listField: string;
  /** The response header carrying the request id; Tencent sends it only in the body. */
  requestIdHeader?: string;
  /** The records of a successful answer body. */
  records(body: Json): Json[];
  /**
   * The body with `records` (or anything else, to bend its shape) in place of
   * its list, and the totals the API reports moved by as many records.
   */
  withRecords(body: Json, records: unknown): Json;
  /** A copy of `record` that is a distinct event (its own id, or for id-less APIs its own content). */
  distinct(record: Json, tag: string): Json;
  /** An error code of the API's shape that it does not document (and cloudtap has never seen). */
  unknownErrorCode: string | number;
  /**
   * The API's own error answer for `code` (a RetCode for UCloud), as its
   * gateway sends it, keeping the request id of `answer` (body or header).
   * `status` only matters to Huawei, whose errors are HTTP 4xx/5xx (default 400).
   */
  errorAnswer(answer: ProxiedAnswer, code: string | number, message: string, status?: number): ProxiedAnswer;
}

export const json = (answer: ProxiedAnswer): Json => parseJson(answer.body.toString('utf8'), { bigIntegers: 'JsonInteger' }) as Json;

/** How many more records `records` holds than `list` (0 when it is not a list). */
export const added = (list: unknown[] | null | undefined, records: unknown): number => (Array.isArray(records) ? records.length - (list ?? []).length : 0);
