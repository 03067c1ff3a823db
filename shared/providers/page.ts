import type { z } from 'zod';
import { MalformedResponseError } from '../lib/errors';

/** What the first bytes of a refused body are cut to, as the clients cut theirs. */
const EXCERPT_CHARS = 200;

/** A client whose errors remove its credentials from text (a provider may echo a key id back in a body). */
export interface Redactor {
  readonly errors: { scrub(text: string): string };
}

/** The page a source is reading: named by its errors, with the client that removes credentials from them. */
export interface PageOrigin {
  /** The source type, which the error names. */
  source: string;
  /** The API operation, e.g. `DescribeEvents`. */
  operation: string;
  requestId: string | undefined;
  client: Redactor;
}

/**
 * The response checked against the documented page shape, or a
 * MalformedResponseError naming the source, the request and every mismatch.
 */
export function parsePage<Schema extends z.ZodType>(schema: Schema, response: unknown, origin: PageOrigin): z.output<Schema> {
  const parsed = schema.safeParse(response);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
  throw malformedPage(origin, `${origin.operation} response does not match the documented shape: ${issues}`, response);
}

/** A page the source refuses (`detail` says why), with an excerpt of `response` when given; credentials removed. */
export function malformedPage(origin: PageOrigin, detail: string, response?: unknown): MalformedResponseError {
  const excerpt = response === undefined ? '' : origin.client.errors.scrub(JSON.stringify(response) ?? String(response)).slice(0, EXCERPT_CHARS);
  return new MalformedResponseError(origin.source, origin.client.errors.scrub(detail), origin.requestId, excerpt);
}
