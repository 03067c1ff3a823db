import type { z } from 'zod';
import type { Clock } from '../lib/clock';
import type { Log } from '../lib/logger';
import type { Source } from '../core/ports/source';
import type { RequestPacer } from '../core/ports/pacer';
import type { SiemFacts } from './siem';

/** A source instance after validation, with its provider's defaults filled in. */
export interface SourceInstanceConfig<Options = Record<string, unknown>> {
  id: string;
  type: string;
  region?: string;
  schedule: string;
  /** Seconds. */
  lagSeconds: number;
  /** A lookback in seconds or an absolute epoch-seconds start for the first run. */
  start: { lookbackSeconds: number } | { at: number };
  endpoint?: string;
  /**
   * The credential set the instance signs with (`credentials` in the config):
   * instances naming one set share its secret and its provider rate limits.
   * An instance configured with credentials of its own is a set of its own,
   * named after the instance.
   */
  credentialSet: string;
  /** Credential field -> environment variable, for local runs (the set's). */
  credentialEnv: Record<string, string>;
  enabled: boolean;
  options: Options;
}

/** One key of a source's credential secret (and of `credentials.env`). */
export interface CredentialField {
  name: string;
  /** The environment variable read for local runs unless the config names another. */
  env: string;
  /** May be absent (a session token; one of two sign-in modes). */
  optional?: boolean;
}

/** The credentials a field list declares: each required field a string, each optional one a string or absent. */
export type CredentialsOf<Fields extends readonly CredentialField[]> = {
  [Field in Fields[number] as Field['optional'] extends true ? never : Field['name']]: string;
} & {
  [Field in Fields[number] as Field['optional'] extends true ? Field['name'] : never]?: string;
};

/** Credentials of a source whose fields are not known here. */
export type Credentials = Record<string, string>;

export interface SourceFactoryArgs<Options, SourceCredentials = Credentials> {
  instance: SourceInstanceConfig<Options>;
  /** Every required field of the definition's `credentialFields` is present and not empty. */
  credentials: SourceCredentials;
  clock: Clock;
  log: Log;
  /** Benchmarks only: lift the API's documented pace to measure cloudtap itself. */
  requestsPerSecond?: number;
  /** How long one request may take, ms; default the transport's (10 s). Fault tests shorten it. */
  timeoutMs?: number;
  /**
   * Paces the client's requests when others share its rate limit (instances
   * behind one credential set, concurrent invocations); without it the client
   * paces itself alone at the documented rate.
   */
  pacer?: RequestPacer;
}

/**
 * Everything the rest of cloudtap needs to know about one provider API: the
 * registry holds one of these per source type, and adding an API means adding
 * one definition.
 */
export interface SourceDefinition<Options = Record<string, unknown>, Fields extends readonly CredentialField[] = readonly CredentialField[]> {
  /** `${vendor}-${api}`, e.g. `acme-audit`: how configs, documents and metrics name the source. */
  type: string;
  /** The vendor's folder: shared/providers/<vendor>/ (its client and signing). */
  vendor: string;
  /** The API's folder within it: shared/providers/<vendor>/<api>/ (and simulators/<vendor>/<api>/). */
  api: string;
  /**
   * Other spellings of the vendor or the API found in its records and
   * endpoints (e.g. `acmecloud`); generic code must use none of them
   * (test/architecture/vendor-names.test.ts).
   */
  names: readonly string[];
  /** A line for docs and `cloudtap sources`. */
  title: string;
  /** Keys of the credential secret (and of `credentials.env`); `create` receives them typed. */
  credentialFields: Fields;
  /** Validates `options`; its error paths are reported under the instance. */
  optionsSchema: z.ZodType<Options>;
  /** Whether `region` is required. */
  requiresRegion: boolean;
  defaults: { schedule: string; lag: string; start: string };
  /**
   * Seconds of history the API serves (its `limits.ts` figure, documented or
   * assumed): a configured `start` further back is refused, naming it.
   */
  retentionSeconds: number;
  /** The API's documented pace: requests per second and records per page (backfill ETAs). */
  pace?: { requestsPerSecond: number; pageSize: number };
  /**
   * What, besides the credential set and the API, the documented rate limit is
   * keyed on for this instance (e.g. the regional endpoint its requests reach),
   * as its source page says; '' when the limit is per key and API alone.
   * Instances with the same set, type and scope share one `pace`.
   */
  rateLimitScope(instance: SourceInstanceConfig<Options>): string;
  /** Its default detection rules, as JSON; validated when the default pack is assembled. */
  rules: readonly unknown[];
  /** Its Splunk sourcetype and CIM facts, its Elastic mappings: the SIEM assets are rendered from these. */
  siem: SiemFacts;
  create(args: SourceFactoryArgs<Options, CredentialsOf<Fields>>): Source;
}

/** Every source type cloudtap knows, by type. */
export type Registry = ReadonlyMap<string, SourceDefinition<any>>;
