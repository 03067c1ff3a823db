import { sha256Hex } from '../lib/hashing';
import { PublishCommand, SNSClient, type MessageAttributeValue } from '@aws-sdk/client-sns';
import type { Alert } from '../core/ports/detection';
import { describeAwsError, isTransientAwsError } from './aws-errors';
import { clip } from './message';
import { alertPayload, fitPayload } from './payload';
import type { Notifier, NotifyFailure } from './types';

/**
 * Alerts to an SNS topic, one Publish each: Subject for email subscribers,
 * Message = the readable text followed by the alert as JSON (for HTTPS/SQS/
 * Lambda subscribers), and MessageAttributes `severity`, `rule_id` and
 * `source_type` for subscription filter policies (e.g. page only on critical).
 * A FIFO topic gets the rule as message group and the alert id as
 * deduplication id, so SNS itself drops a republished alert within 5 minutes.
 */
export interface SnsNotifierOptions {
  topicArn: string;
  /** Default: a client with SDK retries off (the router retries, with jitter) and a 5 s request timeout. */
  client?: SNSClient;
  /** Publishes in flight at once; default 8. */
  concurrency?: number;
}

/** Publish's limit, counting message attributes; kept 1 KiB below for the attribute names and types. */
const MAX_MESSAGE_BYTES = 262_144 - 1_024;
const SEPARATOR = '\n\n-- alert (JSON) --\n';

/** SNS rejects a subject of 100 characters or more, or one with line breaks or control characters. */
export const MAX_SUBJECT_CHARS = 99;

export function snsSubject(subject: string): string {
  const clean = subject.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\s]+/g, ' ').trim();
  return clip(clean === '' ? 'cloudtap alert' : clean, MAX_SUBJECT_CHARS);
}

/** The Message: text, then the alert JSON (without the text again), cut to fit Publish's limit. */
export function snsMessage(alert: Alert): string {
  const text = alert.message.text;
  const json = (maxBytes: number) => JSON.stringify(fitPayload({ ...alertPayload(alert), text: undefined }, maxBytes));
  const room = MAX_MESSAGE_BYTES - Buffer.byteLength(text) - SEPARATOR.length;
  if (room >= 4_096) return `${text}${SEPARATOR}${json(room)}`;
  // A text so long the JSON would not fit: keep 8 KiB for the JSON and cut the text.
  const body = json(8_192);
  const cutText = Buffer.from(text).subarray(0, MAX_MESSAGE_BYTES - SEPARATOR.length - Buffer.byteLength(body) - 16).toString('utf8').replace(/\uFFFD+$/, '');
  return `${cutText} …[truncated]${SEPARATOR}${body}`;
}

const attribute = (value: string): MessageAttributeValue => ({ DataType: 'String', StringValue: value });

/** FIFO deduplication ids: at most 128 printable ASCII characters. */
const dedupId = (id: string) => (/^[\x21-\x7e]{1,128}$/.test(id) ? id : sha256Hex(id));

export function createSnsNotifier(options: SnsNotifierOptions): Notifier {
  const client = options.client ?? new SNSClient({ maxAttempts: 1, requestHandler: { requestTimeout: 5_000, connectionTimeout: 3_000 } });
  const fifo = options.topicArn.endsWith('.fifo');
  const concurrency = Math.max(1, options.concurrency ?? 8);

  async function publishOne(alert: Alert): Promise<NotifyFailure | undefined> {
    const attributes: Record<string, MessageAttributeValue> = {
      severity: attribute(alert.rule.severity),
      rule_id: attribute(alert.rule.id),
    };
    if (alert.event.cloudtap?.source_type) attributes.source_type = attribute(alert.event.cloudtap.source_type);
    try {
      await client.send(
        new PublishCommand({
          TopicArn: options.topicArn,
          Subject: snsSubject(alert.message.subject),
          Message: snsMessage(alert),
          MessageAttributes: attributes,
          ...(fifo ? { MessageGroupId: clip(alert.rule.id, 128), MessageDeduplicationId: dedupId(alert.id) } : {}),
        }),
      );
      return undefined;
    } catch (error) {
      return { alertId: alert.id, error: describeAwsError(error), retryable: isTransientAwsError(error) };
    }
  }

  return {
    name: 'sns',
    async publish(alerts) {
      const failures: NotifyFailure[] = [];
      let next = 0;
      const worker = async () => {
        while (next < alerts.length) {
          const failure = await publishOne(alerts[next++]!);
          if (failure) failures.push(failure);
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, alerts.length) }, worker));
      return failures;
    },
  };
}
