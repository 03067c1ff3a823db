import * as z from 'zod';
import { refusedKey } from './issues';

/**
 * How the deployed stack runs (`deployment`). Local runs ignore it.
 */

/**
 * Runs at once per source type: each type's puller is fed by its own SQS
 * queue, and this is the event source mapping's MaximumConcurrency, whose
 * documented range is 2-1000 (AWS Lambda API reference, ScalingConfig). Ten
 * keeps a burst of due instances from taking the account's concurrency while
 * a slow instance still leaves nine runs for the rest.
 */
export const DEFAULT_CONCURRENCY = 10;
export const MIN_CONCURRENCY = 2;
export const MAX_CONCURRENCY = 1000;

/** Tag restrictions documented for AWS resources and CloudFormation stack tags. */
export const MAX_TAGS = 50;
export const MAX_TAG_KEY_LENGTH = 128;
export const MAX_TAG_VALUE_LENGTH = 256;

export const REPLACED_RESERVED_CONCURRENCY =
  'replaced by deployment.concurrency (runs at once per source type); see docs/scale.md#upgrading';

const ACCOUNT_HINT = 'expected a 12-digit AWS account id, e.g. "123456789012"';

/** Stack tags: keys 1-128 characters, not `aws:` (reserved); values 1-256 (a CloudFormation stack tag's value may not be empty). */
const tags = z
  .record(z.string(), z.string({ error: 'expected a text value' }), { error: 'expected a map of tag names to values, e.g. { team: secops }' })
  .superRefine((record, ctx) => {
    const keys = Object.keys(record);
    if (keys.length > MAX_TAGS) ctx.addIssue({ code: 'custom', message: `${keys.length} tags; AWS takes at most ${MAX_TAGS} per resource` });
    for (const key of keys) {
      if (key.length < 1 || key.length > MAX_TAG_KEY_LENGTH) {
        ctx.addIssue({ code: 'custom', path: [key], message: `a tag key takes 1-${MAX_TAG_KEY_LENGTH} characters (this one has ${key.length})` });
      }
      if (key.toLowerCase().startsWith('aws:')) ctx.addIssue({ code: 'custom', path: [key], message: 'the aws: prefix is reserved for AWS' });
      const value = record[key]!;
      if (value.length < 1 || value.length > MAX_TAG_VALUE_LENGTH) {
        ctx.addIssue({ code: 'custom', path: [key], message: `a tag value takes 1-${MAX_TAG_VALUE_LENGTH} characters (this one has ${value.length})` });
      }
    }
  });

export const deploymentSchema = z
  .strictObject({
    /** Runs at once per source type (the SQS event source mapping's MaximumConcurrency). */
    concurrency: z
      .number({ error: `expected a number of runs, e.g. ${DEFAULT_CONCURRENCY}` })
      .int({ message: 'expected a whole number of runs' })
      .min(MIN_CONCURRENCY, { message: `at least ${MIN_CONCURRENCY}: the least an SQS event source mapping's maximum concurrency takes` })
      .max(MAX_CONCURRENCY, { message: `at most ${MAX_CONCURRENCY}: the most an SQS event source mapping's maximum concurrency takes` })
      .default(DEFAULT_CONCURRENCY),
    /** Tags on the stack, which CloudFormation passes on to its resources. */
    tags: tags.default({}),
    /** The stack's account (its `env`); absent, the CLI's credentials decide. */
    account: z
      // YAML reads an unquoted id as a number; one that began with 0 has lost it, and fails the pattern.
      .preprocess(
        (value) => (typeof value === 'number' && Number.isInteger(value) ? String(value) : value),
        z.string({ error: ACCOUNT_HINT }).regex(/^\d{12}$/, { message: `${ACCOUNT_HINT} (quote it, so YAML keeps leading zeros)` }),
      )
      .optional(),
    /** The stack's region (its `env`); absent, the CLI's configuration decides. */
    region: z
      .string({ error: 'expected an AWS region, e.g. eu-central-1' })
      .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, { message: 'expected an AWS region, e.g. eu-central-1' })
      .optional(),
    // Gone with per-instance functions: a file that still sets it is told what replaced it.
    reservedConcurrencyPerSource: refusedKey(REPLACED_RESERVED_CONCURRENCY),
  })
  .transform(({ reservedConcurrencyPerSource: _refused, ...deployment }) => deployment);

export type DeploymentConfig = z.output<typeof deploymentSchema>;
