import type { RulesConfig } from '../config/alerts';
import type { Clock } from '../lib/clock';
import type { Log } from '../lib/logger';
import { Puller } from '../core/pipeline';
import type { CursorStore } from '../core/ports/cursor-store';
import type { RequestPacer } from '../core/ports/pacer';
import type { AlertRouter } from '../core/ports/detection';
import type { Sink } from '../core/ports/sink';
import type { Source } from '../core/ports/source';
import type { PullRequest, RunSummary } from '../core/run-options';
import { compileRules } from '../detection/compile';
import { defaultRules } from '../config/default-rules';
import { createDetector } from '../detection/engine';
import type { Credentials, SourceDefinition, SourceInstanceConfig } from '../providers/definition';

/** What a process (a Lambda container, a CLI command) wires once for all its pulls. */
export interface PullWiring {
  store: CursorStore;
  sink: Sink;
  /** The configured rules: the default ones, less `disabled`, plus `custom`. */
  rules: RulesConfig;
  /** None: alerts travel to the sink only. */
  alerts?: AlertRouter;
  clock: Clock;
  log: Log;
  /** The source types this process pulls, when it knows them (a puller serves one): only rules that can match them are compiled. */
  sourceTypes?: readonly string[];
  /** Kept back from each pull's deadline to deliver and checkpoint its last pages; default 30 s. */
  reserveMs?: number;
}

/** One configured instance to pull, and the run's own terms. */
export interface InstancePull extends Pick<PullRequest, 'owner' | 'deadline' | 'onProgress' | 'signal'> {
  definition: SourceDefinition<any>;
  instance: SourceInstanceConfig;
  credentials: Credentials;
  /** Shared with the instances behind the same rate limit; none: the source's client paces itself alone. */
  pacer?: RequestPacer;
}

/**
 * The one assembly of a pull, shared by the Lambda, the local runner and
 * backfill so the three cannot drift apart: rules compiled once, a fresh
 * detector per run, the source built from its definition.
 */
export class PullAssembly {
  readonly puller: Puller;

  constructor(readonly wiring: PullWiring) {
    const { rules, log } = wiring;
    const compiled = compileRules([...defaultRules, ...rules.custom], { disabled: rules.disabled, sourceTypes: wiring.sourceTypes, log });
    this.puller = new Puller({
      store: wiring.store,
      sink: wiring.sink,
      detector: () => createDetector({ rules: compiled, log }),
      alerts: wiring.alerts,
      clock: wiring.clock,
      log,
      reserveMs: wiring.reserveMs,
    });
  }

  /** The instance's source, built by its definition. */
  source({ definition, instance, credentials, pacer }: Pick<InstancePull, 'definition' | 'instance' | 'credentials' | 'pacer'>): Source {
    return definition.create({ instance, credentials, clock: this.wiring.clock, log: this.wiring.log, pacer });
  }

  /** Pull the instance from its stored cursor (or configured start) up to now - lag. */
  pull(pull: InstancePull): Promise<RunSummary> {
    return this.puller.pull({
      sourceId: pull.instance.id,
      source: this.source(pull),
      owner: pull.owner,
      lagSeconds: pull.instance.lagSeconds,
      start: pull.instance.start,
      deadline: pull.deadline,
      onProgress: pull.onProgress,
      signal: pull.signal,
    });
  }
}
