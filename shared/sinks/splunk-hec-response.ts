/** Reading HEC's answers: Splunk's `{"text","code"}` bodies and fetch's network failures. */

/** HEC's answer to a request that was not accepted. Carries Splunk's `text`/`code`, never the token. */
export class HecResponseError extends Error {
  override readonly name = 'HecResponseError';
  constructor(
    readonly hec: string,
    readonly status: number,
    readonly code: number | undefined,
    readonly text: string,
    /** 503 (server busy), 429 and other 5xx pass; a bad token or bad request will not. */
    readonly retryable: boolean,
    /** `invalid-event-number` (codes 6, 7): the first event HEC refused; those before it were accepted. */
    readonly invalidEvent?: number,
  ) {
    super(`HEC ${hec} answered HTTP ${status}${code === undefined ? '' : ` code ${code}`}: ${text}`);
  }
}

export const failureCode = (error: unknown): string =>
  error instanceof HecResponseError ? `HTTP ${error.status}${error.code === undefined ? '' : `/code ${error.code}`}` : 'NetworkError';

/** fetch says only "fetch failed"; the reason (ECONNREFUSED, a timeout) is in its cause. */
export function networkDetail(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return 'no answer in time';
  const cause = error.cause as { code?: string; message?: string } | undefined;
  return cause ? `${error.message}: ${cause.code ?? cause.message}` : error.message;
}

export async function readJson(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => '');
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function hecError(hec: string, status: number, body: unknown): HecResponseError {
  const b = (body ?? {}) as { text?: unknown; code?: unknown; 'invalid-event-number'?: unknown };
  const text = typeof b.text === 'string' ? b.text : `HTTP ${status}`;
  const code = typeof b.code === 'number' ? b.code : undefined;
  const invalid = typeof b['invalid-event-number'] === 'number' ? b['invalid-event-number'] : undefined;
  return new HecResponseError(hec, status, code, text, status === 429 || status >= 500, invalid);
}
