import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/**
 * The Elasticsearch REST endpoints `cloudtap elastic-setup` calls, as a real
 * cluster answers them to the v9 client: the `x-elastic-product` header on
 * every answer (the client refuses a server without it), ApiKey auth, PUT
 * templates and pipelines that replace what they name, an index template
 * refused when it composes a component template that does not exist, and a
 * simulate API that resolves a name to its highest-priority template.
 */

type Json = Record<string, any>;
export interface Received {
  method: string;
  path: string;
  authorization?: string;
  body?: Json;
}

export interface FakeElasticsearch {
  url: string;
  requests: Received[];
  componentTemplates: Map<string, Json>;
  indexTemplates: Map<string, Json>;
  pipelines: Map<string, Json>;
  /** Answer requests to a path with this status and error (once, or every time with `always`). */
  fail(path: RegExp, status: number, error: { type: string; reason: string }, always?: boolean): void;
  stop(): Promise<void>;
}

const glob = (pattern: string) => new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);

export async function startFakeElasticsearch(options: { apiKey: string; version?: string; builtIns?: boolean }): Promise<FakeElasticsearch> {
  const componentTemplates = new Map<string, Json>();
  const indexTemplates = new Map<string, Json>();
  const pipelines = new Map<string, Json>();
  const requests: Received[] = [];
  const failures: { path: RegExp; status: number; error: Json; always: boolean }[] = [];
  if (options.builtIns !== false) {
    // What a stock 8.x/9.x cluster has: the logs template and its components.
    componentTemplates.set('logs@mappings', { template: { mappings: { date_detection: false } } });
    componentTemplates.set('logs@settings', { template: { settings: { index: { default_pipeline: 'logs@default-pipeline' } } } });
    componentTemplates.set('ecs@mappings', { template: { mappings: { dynamic_templates: [] } } });
    indexTemplates.set('logs', { index_patterns: ['logs-*-*'], priority: 100, data_stream: {}, composed_of: ['logs@mappings', 'logs@settings', 'logs@custom', 'ecs@mappings'], ignore_missing_component_templates: ['logs@custom'] });
  }

  const send = (res: ServerResponse, status: number, body: Json) => {
    res.writeHead(status, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
    res.end(JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, type: string, reason: string) => send(res, status, { error: { type, reason, root_cause: [{ type, reason }] }, status });

  const simulate = (name: string): Json => {
    const matching = [...indexTemplates].filter(([, t]) => (t.index_patterns as string[]).some((p) => glob(p).test(name)));
    matching.sort(([, a], [, b]) => (b.priority ?? 0) - (a.priority ?? 0));
    const [winner, ...others] = matching;
    if (!winner) return { overlapping: [] };
    const settings: Json = {};
    for (const component of winner[1].composed_of ?? []) Object.assign(settings, componentTemplates.get(component)?.template?.settings?.index ?? {});
    Object.assign(settings, winner[1].template?.settings?.index ?? {});
    return { template: { settings: { index: settings }, mappings: {}, aliases: {} }, overlapping: others.map(([n, t]) => ({ name: n, index_patterns: t.index_patterns })) };
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: Buffer) => {
    const path = decodeURIComponent(new URL(req.url!, 'http://x').pathname);
    const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
    const body = text ? (JSON.parse(text) as Json) : undefined;
    requests.push({ method: req.method!, path, authorization: req.headers.authorization, ...(body ? { body } : {}) });
    if (req.headers.authorization !== `ApiKey ${options.apiKey}`) {
      return error(res, 401, 'security_exception', 'unable to authenticate with provided credentials and anonymous access is not allowed for this request');
    }
    const failure = failures.find((f) => f.path.test(path));
    if (failure) {
      if (!failure.always) failures.splice(failures.indexOf(failure), 1);
      return send(res, failure.status, { error: { ...failure.error, root_cause: [failure.error] }, status: failure.status });
    }
    let m: RegExpExecArray | null;
    if (req.method === 'GET' && path === '/') {
      return send(res, 200, { name: 'fake', cluster_name: 'fake', version: { number: options.version ?? '9.1.0', build_flavor: 'default' }, tagline: 'You Know, for Search' });
    }
    if (req.method === 'PUT' && (m = /^\/_component_template\/([^/]+)$/.exec(path))) {
      componentTemplates.set(m[1]!, body!);
      return send(res, 200, { acknowledged: true });
    }
    if (req.method === 'PUT' && (m = /^\/_ingest\/pipeline\/([^/]+)$/.exec(path))) {
      if (!Array.isArray(body?.processors)) return error(res, 400, 'parse_exception', '[processors] required property is missing');
      pipelines.set(m[1]!, body!);
      return send(res, 200, { acknowledged: true });
    }
    if (req.method === 'PUT' && (m = /^\/_index_template\/([^/]+)$/.exec(path))) {
      const missing = (body!.composed_of as string[]).filter((c) => !componentTemplates.has(c) && !(body!.ignore_missing_component_templates ?? []).includes(c));
      if (missing.length) {
        return error(res, 400, 'invalid_index_template_exception', `index_template [${m[1]}] invalid, cause [index template [${m[1]}] specifies component templates [${missing.join(', ')}] that do not exist]`);
      }
      const clash = [...indexTemplates].find(([n, t]) => n !== m![1] && t.priority === body!.priority && t.index_patterns.some((p: string) => body!.index_patterns.includes(p)));
      if (clash) return error(res, 400, 'illegal_argument_exception', `index template [${m[1]}] has index patterns overlapping with [${clash[0]}] at the same priority`);
      indexTemplates.set(m[1]!, body!);
      return send(res, 200, { acknowledged: true });
    }
    if (req.method === 'POST' && (m = /^\/_index_template\/_simulate_index\/([^/]+)$/.exec(path))) return send(res, 200, simulate(m[1]!));
    return error(res, 404, 'not_found', `no handler for ${req.method} ${path}`);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    componentTemplates,
    indexTemplates,
    pipelines,
    fail: (path, status, err, always = false) => failures.push({ path, status, error: err, always }),
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
