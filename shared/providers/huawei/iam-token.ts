import { systemClock, type Clock } from '../../lib/clock';
import { silentLog, type Log } from '../../lib/logger';
import type { PasswordCredentials } from './credentials';
import { fetchText, readJsonBody, withScheme } from '../http';
import { ErrorFactory } from './errors';

/**
 * IAM password tokens, the alternative to AK/SK signing: POST
 * /v3/auth/tokens scoped to one project; the token is the X-Subject-Token
 * response header and is sent as X-Auth-Token. Tokens last 24 h; one is cached
 * and renewed ahead of `expires_at`, and dropped at once when a service
 * answers 401 (a token is also revoked by password or permission changes).
 */

export interface IamTokenProviderOptions {
  /** https://iam.{region}.myhuaweicloud.com (or a simulator's URL). */
  endpoint: string;
  credentials: PasswordCredentials;
  /** The token's scope: the project whose APIs it will call. */
  projectId: string;
  clock?: Clock;
  log?: Log;
  /** Per request. Default 10 s. */
  timeoutMs?: number;
  /** Renew this long before expiry. Default 5 minutes. */
  renewBeforeMs?: number;
}

interface CachedToken {
  token: string;
  expiresAt: number;
  renewAt: number;
}

/** `expires_at` as IAM writes it (2020-01-05T05:05:05.000000Z: microseconds, which Date.parse may reject). */
export function parseIamTime(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!match) return undefined;
  const ms = Date.parse(`${match[1]}.${(match[2] ?? '').padEnd(3, '0').slice(0, 3)}${match[3]}`);
  return Number.isFinite(ms) ? ms : undefined;
}

export class IamTokenProvider {
  private readonly url: URL;
  private readonly clock: Clock;
  private readonly log: Log;
  private readonly timeoutMs: number;
  private readonly renewBeforeMs: number;
  private readonly projectId: string;
  readonly #credentials: PasswordCredentials;
  readonly #errors: ErrorFactory;
  #cached?: CachedToken;
  #pending?: Promise<CachedToken>;

  constructor(options: IamTokenProviderOptions) {
    // nocatalog: the service catalog is not needed and is most of the body.
    this.url = new URL('/v3/auth/tokens?nocatalog=true', withScheme(options.endpoint));
    this.clock = options.clock ?? systemClock;
    this.log = options.log ?? silentLog;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.renewBeforeMs = options.renewBeforeMs ?? 5 * 60_000;
    this.projectId = options.projectId;
    this.#credentials = { ...options.credentials };
    this.#errors = new ErrorFactory(() => this.knownSecrets());
  }

  /** The password and the current token, for redaction only. */
  knownSecrets(): string[] {
    return [this.#credentials.password, this.#cached?.token ?? ''].filter((s) => s.length > 0);
  }

  /** A valid token, fetched (once, however many callers wait) when none is cached or it is due for renewal. */
  async token(signal?: AbortSignal): Promise<string> {
    const cached = this.#cached;
    if (cached && this.clock.now() < cached.renewAt) return cached.token;
    if (!this.#pending) {
      this.#pending = this.fetchToken(signal).finally(() => {
        this.#pending = undefined;
      });
    }
    const fresh = await this.#pending;
    return fresh.token;
  }

  /** Forget `token` (a service rejected it), so the next call fetches a new one. */
  invalidate(token: string): void {
    if (this.#cached?.token === token) this.#cached = undefined;
  }

  private async fetchToken(callerSignal?: AbortSignal): Promise<CachedToken> {
    const { domainName, userName, password } = this.#credentials;
    const body = JSON.stringify({
      auth: {
        identity: { methods: ['password'], password: { user: { domain: { name: domainName }, name: userName, password } } },
        scope: { project: { id: this.projectId } },
      },
    });
    const what = 'IAM POST /v3/auth/tokens';
    const answer = await fetchText(
      this.url,
      { method: 'POST', headers: { 'Content-Type': 'application/json;charset=utf8' }, body },
      this.timeoutMs,
      callerSignal,
      // IAM words its timeout without "complete".
      (code, detail) => this.#errors.provider(code, `${what}: ${code === 'Timeout' ? `no answer within ${this.timeoutMs} ms` : detail}`, undefined, true),
    );
    const { status, headers, text } = answer;
    const token = headers.get('x-subject-token');
    const requestId = headers.get('x-request-id') ?? headers.get('x-iam-trace-id') ?? undefined;
    if (status < 200 || status > 299) throw this.#errors.fromHttpError(what, status, text, requestId);
    // A body cut short is retried with the request it belongs to (UnreadableBodyError), like the service's own.
    const parsed = readJsonBody(answer, { what, requestId, errors: this.#errors }) as { token?: { expires_at?: unknown } } | null;
    const expiresAt = parseIamTime(parsed?.token?.expires_at);
    if (!token) throw this.#errors.malformed(`${what}: no X-Subject-Token header (HTTP ${status})`, requestId, '');
    if (expiresAt === undefined) throw this.#errors.malformed(`${what}: token.expires_at is missing or not a time`, requestId, text);
    const now = this.clock.now();
    const lifetime = expiresAt - now;
    // A token shorter-lived than the renewal margin is still used for half its life.
    const cached = { token, expiresAt, renewAt: expiresAt - Math.min(this.renewBeforeMs, Math.max(0, lifetime / 2)) };
    this.#cached = cached;
    this.log.info('obtained an IAM token', { projectId: this.projectId, expiresAt: new Date(expiresAt).toISOString(), requestId });
    return cached;
  }
}
