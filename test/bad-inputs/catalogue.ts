/**
 * The catalogue of bad inputs: what can arrive broken, and what cloudtap does
 * with it. Each entry is covered by at least one `it` in `test` whose name
 * starts with its id (catalogue.test.ts checks), and docs/testing.md lists every
 * id (its table is `catalogueTable()`'s output).
 */

export interface BadInput {
  id: string;
  /** The bad input, and which APIs it concerns where not all four. */
  input: string;
  /** What cloudtap does with it, as the tests assert. */
  behaviour: string;
  /** The file under test/bad-inputs/ holding its tests. */
  test: 'bodies.test.ts' | 'records.test.ts' | 'paging.test.ts' | 'auth.test.ts' | 'time.test.ts' | 'config.test.ts' | 'delivery.test.ts';
}

export const catalogue: readonly BadInput[] = [
  // Bodies
  {
    id: 'BI-01',
    input: 'A truncated JSON body (HTTP 200, cut midway)',
    behaviour:
      'Transient, like a 5xx: retried within the run with the same backoff and attempts (4 for Tencent, UCloud and Alibaba, 5 for Huawei), each retry counted in the run\'s `retries`; once an answer arrives whole, every record is delivered once. If every attempt is cut, the run stops: "returned a malformed response (request …): … body is not valid JSON (HTTP 200, N bytes)", N the bytes received, with the request id where it survives (UCloud, Huawei and Alibaba send it in a header; Tencent\'s ends the body); no cursor moves; the next run asks again.',
    test: 'bodies.test.ts',
  },
  {
    id: 'BI-02',
    input: 'A body that is not JSON, with HTTP 200 (an HTML gateway page)',
    behaviour: 'As BI-01 (a gateway answering in the API\'s place is as transient as a cut body); the error also keeps the first 200 characters of the body for the log.',
    test: 'bodies.test.ts',
  },
  {
    id: 'BI-03',
    input: 'A gateway 5xx with a body that is not JSON',
    behaviour: 'Retried with exponential backoff and jitter (4 attempts for Tencent, UCloud and Alibaba, 5 for Huawei); once the API answers, every record is delivered once.',
    test: 'bodies.test.ts',
  },
  {
    id: 'BI-04',
    input: 'An error envelope with a code cloudtap has never seen (Tencent `Response.Error`, UCloud `RetCode`, Huawei `error_code`, Alibaba `Code`)',
    behaviour: 'Not retried (only throttling and transient codes are); the error names the code, the provider\'s message and the request id; the cursor does not move.',
    test: 'bodies.test.ts',
  },
  {
    id: 'BI-05',
    input: 'JSON of the wrong shape (the list of records is an object)',
    behaviour: 'The run stops at once, not retried (JSON that parses but breaks the documented shape is the provider\'s contract broken, not the transfer): "response does not match the documented shape: Events: Invalid input: expected array …", naming the request; the cursor does not move.',
    test: 'bodies.test.ts',
  },
  {
    id: 'BI-06',
    input: 'Bytes that are not valid UTF-8 inside a record',
    behaviour:
      'Decoded as UTF-8 with each bad sequence replaced by U+FFFD, never refused: the record is mapped and delivered, tagged `cloudtap_invalid_utf8`, and a warning names the request id.',
    test: 'bodies.test.ts',
  },
  // Records
  {
    id: 'BI-07',
    input: 'A record field of the wrong type (e.g. the event time is an object)',
    behaviour:
      'Delivered raw with `event.kind: pipeline_error` (`event.original` is the record, `error.message` says what failed, `@timestamp` is the pull time when the record cannot be dated), counted in the run\'s `mappingErrors` and the `MappingErrors` metric; the rest of the page is delivered and the cursor moves past it.',
    test: 'records.test.ts',
  },
  {
    id: 'BI-08',
    input: 'A record missing fields (no event time; `{}`)',
    behaviour: 'As BI-07.',
    test: 'records.test.ts',
  },
  {
    id: 'BI-09',
    input: 'List items that are not objects (`null`, a string, a number, a list)',
    behaviour: 'As BI-07, each item on its own; the page is never refused for one bad item.',
    test: 'records.test.ts',
  },
  {
    id: 'BI-10',
    input: 'An outcome value outside the documented ones (UCloud `IsSuccess: "yes"`, DBSS `result: "partially"`)',
    behaviour: 'Mapped with `event.outcome: unknown`; the raw value stays in `event.original` (for DBSS also in `cloudtap.huaweicloud.dbss.result`). Not an error.',
    test: 'records.test.ts',
  },
  {
    id: 'BI-11',
    input: 'An operation the mapping does not know (CloudAudit `EventName`, SSL `Type`, UCloud `Api`, DBSS `action`, ActionTrail `eventName`)',
    behaviour: 'Mapped: `event.action` keeps the provider\'s value verbatim and `event.type` falls back to a generic type (`change`; `info` for SSL; `access` for a CloudAudit read).',
    test: 'records.test.ts',
  },
  {
    id: 'BI-12',
    input: 'A nested JSON string that does not decode (CloudAudit `CloudAuditEvent` cut short)',
    behaviour: 'Mapped from the outer fields; the nested text stays text, tagged `cloudtap_decode_error`, with `cloudtap.decode_errors` naming the field.',
    test: 'records.test.ts',
  },
  // Paging
  {
    id: 'BI-13',
    input: 'A NextToken that repeats (CloudAudit, UCloud, ActionTrail)',
    behaviour: 'The run stops: "… paging in a loop", naming the request. The pages before stay delivered, once; the cursor resumes after the last delivered page.',
    test: 'paging.test.ts',
  },
  {
    id: 'BI-14',
    input: 'A provider that ignores the page it is asked for and serves the first page again (as a cache keyed on the URL of a POST API would)',
    behaviour:
      'The repeated page is refused before it is delivered: "… repeats the previous page record for record (N records): the provider ignores the paging parameters", naming the request; the cursor holds. The last delivered page\'s fingerprint (SHA-256) is kept with its open window in the cursor, so a run that resumes the window refuses it too. For APIs without record ids a repeat within one second is allowed (a burst of identical records fills pages alike).',
    test: 'paging.test.ts',
  },
  {
    id: 'BI-15',
    input: 'More records on a page than asked for',
    behaviour: 'CloudAudit, UCloud and ActionTrail (tokens) and SSL (paged by time) deliver them all, once. DBSS refuses the page, naming the request: with page/size paging, page numbers no longer say where the next page starts.',
    test: 'paging.test.ts',
  },
  {
    id: 'BI-16',
    input: 'A page that says there is more but gives no way to it (CloudAudit `ListOver: false` without `NextToken`; DBSS a short page while `total_num` counts more)',
    behaviour: 'Refused naming the request, never taken for the end of the window. (SSL asks once more when `AllTotal` counts more; an empty page ends its window.)',
    test: 'paging.test.ts',
  },
  {
    id: 'BI-17',
    input: 'A page token in the stored cursor that the source did not write (an edited or foreign cursor)',
    behaviour: 'Refused before any request, saying what is wrong (e.g. "page token … in the cursor is not a NextToken; reset the source\'s cursor"); the cursor is left as it was.',
    test: 'paging.test.ts',
  },
  // Credentials and clocks
  {
    id: 'BI-18',
    input: 'A wrong secret (the signature does not verify)',
    behaviour:
      'Refused once and never retried (Huawei locks a key after five bad signatures); the error names the provider\'s code (`AuthFailure.SignatureFailure`, RetCode 171, `APIGW.0301`, `SignatureDoesNotMatch`) and request id. No key appears in any error or log line; no cursor moves.',
    test: 'auth.test.ts',
  },
  {
    id: 'BI-19',
    input: 'A key the provider does not know (revoked or mistyped)',
    behaviour: 'As BI-18 (`AuthFailure.SecretIdNotFound`, RetCode 172, `APIGW.0301` "AK not found").',
    test: 'auth.test.ts',
  },
  {
    id: 'BI-20',
    input: 'A local clock further off than the provider accepts (Tencent: 5 minutes; Huawei: 15; Alibaba: 15, assumed)',
    behaviour: 'Refused once and not retried; the error names `AuthFailure.SignatureExpire`, `APIGW.0301` or `InvalidTimeStamp.Expired` and says that the local clock is the cause. UCloud signs no time and is unaffected.',
    test: 'auth.test.ts',
  },
  {
    id: 'BI-21',
    input: 'Temporary credentials whose token expires mid-run',
    behaviour:
      'Tencent STS, Huawei and Alibaba STS security tokens: the run stops at that page, naming the code and the request, with the cursor after the last delivered page; the next run (with fresh keys from the secret) resumes there. Huawei IAM token mode: the token is dropped and renewed once, the request is repeated, and the run goes on.',
    test: 'auth.test.ts',
  },
  {
    id: 'BI-22',
    input: 'IAM refuses a new token mid-run (the password was changed)',
    behaviour: 'One renewal attempt, not a loop; the run stops naming `IAM.0101` and the IAM request id; the password appears nowhere; the cursor holds after the last delivered page.',
    test: 'auth.test.ts',
  },
  {
    id: 'BI-23',
    input: 'The provider echoes a secret in an error message',
    behaviour: 'Every secret value is replaced by `[redacted]` in the error and in every log line.',
    test: 'auth.test.ts',
  },
  // Time
  {
    id: 'BI-24',
    input: 'Epoch milliseconds where seconds are documented (CloudAudit `EventTime`, UCloud `OperateTime`, DBSS `time`)',
    behaviour: 'Values from 1e12 on are read as milliseconds (1e12 seconds is the year 33658); each record is delivered with its true time.',
    test: 'time.test.ts',
  },
  {
    id: 'BI-25',
    input: 'An event dated implausibly far ahead (more than a day after it is pulled)',
    behaviour: 'Delivered raw as `pipeline_error`, with `@timestamp` the pull time and the reason, and counted; never left for a window that will not come.',
    test: 'time.test.ts',
  },
  {
    id: 'BI-26',
    input: 'A record dated before the window that returned it',
    behaviour:
      'Delivered with that window, dated as the provider dates it and with its deterministic `event.id`, and counted as `lateRecords`: the provider\'s own time filter put it in this window and no other window returns it, so skipping it would lose it. A later run does not repeat it.',
    test: 'time.test.ts',
  },
  {
    id: 'BI-27',
    input: 'A record dated at or after the end of the window that returned it',
    behaviour: 'Left to the window that covers its time (counted as `aheadRecords`), which delivers it once.',
    test: 'time.test.ts',
  },
  {
    id: 'BI-28',
    input: 'A cursor older than the provider keeps events (a source paused for months)',
    behaviour: 'Moved to the retention edge (plus a 5-minute margin); the gap is logged as an error with the source and both ends, and counted as `skippedSeconds`; no request outside retention is made.',
    test: 'time.test.ts',
  },
  {
    id: 'BI-29',
    input: 'A time range the provider refuses anyway (its retention is shorter than assumed)',
    behaviour: 'Not retried; the error names the code and the request; the cursor does not skip ahead (only BI-28 moves it, and loudly).',
    test: 'time.test.ts',
  },
  // Configuration
  {
    id: 'BI-30',
    input: 'An unknown source type',
    behaviour:
      '"sources[1] (trail).type: unknown source type "aws-cloudtrail"; known types: tencent-cloudaudit, …" (with "did you mean" for a near miss), reported with every other mistake in the file at once.',
    test: 'config.test.ts',
  },
  {
    id: 'BI-31',
    input:
      'A schedule EventBridge would refuse (`rate(1 minutes)`, a 5-field cron, a Unix cron without `?`, a minute of 99), or a `lag` or `start` that is neither a duration nor a strict ISO 8601 time (`start: "12"`)',
    behaviour:
      'The path and what is wrong by EventBridge\'s rules, naming the field, e.g. "sources[0].schedule: cron minutes field "99": 99 is outside 0-59", or the accepted forms; caught before synth.',
    test: 'config.test.ts',
  },
  {
    id: 'BI-32',
    input: 'A destination without its endpoint (Splunk `hecEndpoint`, Elastic `endpointUrl`), or of an unknown type',
    behaviour: '"destination.hecEndpoint: required: the https URL of your Splunk HTTP Event Collector"; "destination.type: expected type s3, splunk, elastic or security-lake".',
    test: 'config.test.ts',
  },
  {
    id: 'BI-33',
    input: 'The instance\'s secret does not exist',
    behaviour: 'The run fails before any request: "credentials of source <id>: cannot read secret <arn>: … can\'t find the specified secret".',
    test: 'config.test.ts',
  },
  {
    id: 'BI-34',
    input: 'A secret missing a field, not JSON, or (Huawei) without a complete AK/SK or password set',
    behaviour: 'Each missing field is named with the secret ("secretKey: missing from secret <arn>"); a secret that is not JSON is never quoted; values never appear.',
    test: 'config.test.ts',
  },
  {
    id: 'BI-35',
    input: 'Provider options out of range (an unknown key, `maxResults: 500`, `authMode: password`, a missing region)',
    behaviour:
      'Each is named with its path, the instance id and the allowed values, all at once; an unknown key with the key meant ("options.returnLocaton: unknown key; did you mean "returnLocation"?").',
    test: 'config.test.ts',
  },
  {
    id: 'BI-36',
    input: 'A local run without the environment variables that hold the keys',
    behaviour: '"credentials of source <id>: secretKey: set the environment variable TENCENTCLOUD_SECRET_KEY".',
    test: 'config.test.ts',
  },
  // Delivery
  {
    id: 'BI-37',
    input: 'A raw record over the Firehose record limit (1,000 KiB)',
    behaviour: 'Delivered with `event.original` cut to fit and `cloudtap.original_truncated_bytes` set to its full length; every mapped field is kept.',
    test: 'delivery.test.ts',
  },
  {
    id: 'BI-38',
    input: 'A record whose mapped fields alone exceed the limit',
    behaviour: 'Delivered with its core fields (`@timestamp`, `event`, `cloud`, `user`, `source`, `error`, `tags`), `cloudtap.fields_dropped` listing what was left out, and `event.original` cut.',
    test: 'delivery.test.ts',
  },
  {
    id: 'BI-39',
    input: 'Firehose keeps refusing records',
    behaviour:
      'Only the refused records are resent, with backoff and jitter; after the last attempt the run stops: "firehose:<stream>: N record(s) not delivered after retries (InternalFailure xN); last request <id>". The cursor stays before the page; earlier pages stay delivered.',
    test: 'delivery.test.ts',
  },
];

/** The catalogue as docs/testing.md's table: id | bad input | what cloudtap does. */
export function catalogueTable(): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  return ['| id | bad input | what cloudtap does |', '|---|---|---|', ...catalogue.map((entry) => `| ${entry.id} | ${cell(entry.input)} | ${cell(entry.behaviour)} |`)].join('\n');
}
