import * as z from 'zod';
import type { Cursor } from '../core/ports/cursor-store';

/**
 * The stored shape of a cursor, checked on every read: a hand-edited or
 * half-migrated cursor must stop the source with a clear message, not be
 * silently reset (which would re-pull or skip data).
 */
export const cursorSchema = z
  .object({
    windowStart: z.number().int(),
    windows: z
      .array(
        z
          .object({
            start: z.number().int(),
            end: z.number().int(),
            pageToken: z.string().optional(),
            done: z.boolean().optional(),
            lastPage: z.string().optional(),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();

/** Parse a stored cursor; throws with the path of what is wrong. */
export function decodeCursor(value: unknown, where: string): Cursor {
  const parsed = cursorSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'cursor'}: ${issue.message}`).join('; ');
    throw new Error(`cursor of ${where} is not valid (${problems}); fix or delete it (deleting restarts the source from its configured start)`);
  }
  return parsed.data;
}

/** The cursor as stored: no undefined members (DynamoDB and JSON both keep them otherwise). */
export function encodeCursor(cursor: Cursor): Cursor {
  const stored: Cursor = { windowStart: cursor.windowStart };
  if (cursor.windows && cursor.windows.length > 0) {
    stored.windows = cursor.windows.map(({ start, end, pageToken, done, lastPage }) => ({
      start,
      end,
      ...(pageToken !== undefined ? { pageToken } : {}),
      ...(done ? { done: true } : {}),
      ...(lastPage !== undefined && !done ? { lastPage } : {}),
    }));
  }
  return stored;
}
