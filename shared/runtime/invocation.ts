import type { SourceInstanceConfig } from '../providers/definition';

/**
 * What each EventBridge rule sends its puller function: which instance to pull
 * and where its credentials are. One function per source type serves every
 * configured instance of that type.
 */
export interface PullInvocation {
  source: SourceInstanceConfig;
  /** The Secrets Manager secret holding the instance's credential fields as JSON. */
  secretArn: string;
}

/** Environment variables the stack sets on every puller function. */
export const FUNCTION_ENV = {
  tableName: 'CLOUDTAP_TABLE_NAME',
  deliveryStreamName: 'CLOUDTAP_DELIVERY_STREAM',
} as const;
