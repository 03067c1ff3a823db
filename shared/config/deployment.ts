import { z } from 'zod';

/**
 * How the deployed functions run (`deployment`). Local runs ignore it.
 */

/**
 * Lambda executions reserved per enabled source instance, so one source type
 * cannot take the concurrency another needs. Two, because a run holds its
 * source's lease: one run works, and at most one more (the next schedule
 * firing while a long run is still going) finds the lease held and returns at
 * once; with one, that overlap would be throttled and page through the
 * throttles alarm. More never pulls faster. Ten sources reserve 20 of the
 * default 1,000, well clear of the 100 Lambda keeps unreserved; in an account
 * whose quota is still 10, Lambda refuses any reservation (the unreserved
 * minimum is then 10), so `false` turns it off.
 */
export const DEFAULT_RESERVED_CONCURRENCY_PER_SOURCE = 2;
export const MAX_RESERVED_CONCURRENCY_PER_SOURCE = 10;

export const deploymentSchema = z
  .object({
    /** Executions reserved per enabled source instance of a type; `false` reserves none. */
    reservedConcurrencyPerSource: z
      .union([z.literal(false), z.number()], { error: 'expected a number of executions, e.g. 2, or false to reserve none' })
      .refine((value) => value === false || Number.isInteger(value), { message: 'expected a whole number of executions' })
      .refine((value) => value === false || (value >= 1 && value <= MAX_RESERVED_CONCURRENCY_PER_SOURCE), {
        message: `expected 1-${MAX_RESERVED_CONCURRENCY_PER_SOURCE}: a source's lease lets one run work at a time (false reserves none)`,
      })
      .default(DEFAULT_RESERVED_CONCURRENCY_PER_SOURCE),
  })
  .strict();

export type DeploymentConfig = z.output<typeof deploymentSchema>;
