/**
 * An HTTP proxy between cloudtap and a provider simulator that can rewrite
 * answers, as a broken gateway, a truncating middlebox or a buggy provider
 * release would. Requests go through untouched, Host header included, so the
 * simulator still checks the real signatures; only what comes back is bent.
 */
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseJson, stringifyJson } from '../../shared/providers/tencent/json';

/** One answer as the simulator gave it (or as a tamper rewrote it). */
export interface ProxiedAnswer {
  status: number;
  /** Lower-case names, as Node reads them. */
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * Called for every answer, with the 1-based number of the request through the
 * proxy. Returns the answer to send instead, `reset` to drop the connection
 * without answering, or undefined to pass the answer on unchanged.
 */
export type Tamper = (answer: ProxiedAnswer, n: number) => ProxiedAnswer | 'reset' | undefined;

export class TamperingProxy {
  /** Requests forwarded so far. */
  requests = 0;
  private tampers: Tamper[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(upstream: string): Promise<TamperingProxy> {
    const target = new URL(upstream);
    let proxy: TamperingProxy | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const n = ++proxy!.requests;
        const forward = request(
          { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
          (upstreamAnswer) => {
            const body: Buffer[] = [];
            upstreamAnswer.on('data', (chunk: Buffer) => body.push(chunk));
            upstreamAnswer.on('end', () => {
              const answer = proxy!.apply({ status: upstreamAnswer.statusCode ?? 502, headers: flat(upstreamAnswer.headers), body: Buffer.concat(body) }, n);
              if (answer === 'reset') return req.socket.destroy();
              const { 'content-length': _length, 'transfer-encoding': _encoding, ...headers } = answer.headers;
              res.writeHead(answer.status, { ...headers, 'content-length': String(answer.body.length) }).end(answer.body);
            });
          },
        );
        // The simulator dropped the connection (its own `reset` fault): do the same.
        forward.on('error', () => req.socket.destroy());
        forward.end(Buffer.concat(chunks));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new TamperingProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return proxy;
  }

  /** Apply `tamper` to every later answer, after the tampers already in use. */
  use(tamper: Tamper): void {
    this.tampers.push(tamper);
  }

  /** Pass answers through unchanged from now on. */
  clear(): void {
    this.tampers = [];
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private apply(answer: ProxiedAnswer, n: number): ProxiedAnswer | 'reset' {
    let current = answer;
    for (const tamper of this.tampers) {
      const changed = tamper(current, n);
      if (changed === 'reset') return 'reset';
      if (changed) current = changed;
    }
    return current;
  }
}

function flat(headers: IncomingHttpHeaders): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers)
      .filter((entry): entry is [string, string | string[]] => entry[1] !== undefined)
      .map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : value]),
  );
}

// ---------------------------------------------------------------------------
// Tampers

/** Only the `n`th request's answer (1-based). */
export const onRequest =
  (nth: number, tamper: Tamper): Tamper =>
  (answer, n) =>
    n === nth ? tamper(answer, n) : undefined;

/** The answer with another body (and content type). */
export const withBody = (answer: ProxiedAnswer, body: string | Buffer, contentType?: string, status = answer.status): ProxiedAnswer => ({
  status,
  headers: contentType ? { ...answer.headers, 'content-type': contentType } : answer.headers,
  body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
});

/** The first half of the body, sent as a complete HTTP message (Content-Length fits the cut body). */
export const truncate: Tamper = (answer) => withBody(answer, answer.body.subarray(0, Math.floor(answer.body.length / 2)));

/**
 * Rewrite a successful JSON answer. Integers beyond 2^53 (CloudAudit's
 * NextToken) survive the round trip digit for digit. Answers that are not
 * HTTP 200 JSON pass through.
 */
export const rewriteJson =
  (rewrite: (body: any, n: number) => unknown): Tamper =>
  (answer, n) => {
    if (answer.status !== 200) return undefined;
    let body: unknown;
    try {
      body = parseJson(answer.body.toString('utf8'), { bigIntegers: 'JsonInteger' });
    } catch {
      return undefined;
    }
    const rewritten = rewrite(body, n);
    return rewritten === undefined ? undefined : withBody(answer, stringifyJson(rewritten));
  };

/** Replace every occurrence of `marker` in the body with raw bytes (e.g. bytes that are not UTF-8). */
export const replaceBytes =
  (marker: string, bytes: Buffer): Tamper =>
  (answer) => {
    const needle = Buffer.from(marker, 'utf8');
    const parts: Buffer[] = [];
    let from = 0;
    for (let at = answer.body.indexOf(needle); at >= 0; at = answer.body.indexOf(needle, from)) {
      parts.push(answer.body.subarray(from, at), bytes);
      from = at + needle.length;
    }
    if (from === 0) return undefined;
    parts.push(answer.body.subarray(from));
    return withBody(answer, Buffer.concat(parts));
  };
