/**
 * The correctness contract (docs/design.md, "The correctness contract"), proven end to end with real parts: the
 * provider's simulator (its rate limit on), the real source, runSource (four
 * lanes, as deployed, unless a scenario needs a sequential run for per-page
 * figures), DynamoDbCursorStore on dynalite and FirehoseSink on the Firehose
 * wire-API server. Every scenario runs against every fixture in
 * `fixtures/index.ts`. The simulated clock is explained in harness.ts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MalformedResponseError, SourceRunError } from '../../shared/lib/errors';
import type { Cursor } from '../../shared/core/ports/cursor-store';
import { rateSeconds } from '../../shared/lib/schedule';
import { encodeDocument } from '../../shared/sinks/encode';
import { pack } from '../../shared/sinks/pack';
import type { ProviderFixture } from './fixture';
import { fixtures } from './fixtures';
import {
  DAY,
  HOUR,
  MINUTE,
  Scenario,
  crashOnCheckpoint,
  deliveredPages,
  describeError,
  documentKey,
  expectCursorMatchesRun,
  expectResumesAt,
  pageId,
  pagesOf,
  recordKey,
  startInfrastructure,
  type FetchRecord,
  type Infrastructure,
  type RunOutcome,
  type ScenarioOptions,
} from './harness';

/** The simulated "now" every scenario starts at: 2025-06-02T08:00:00Z. */
const T0 = Date.UTC(2025, 5, 2, 8, 0, 0) / 1000;
/** runSource's default number of lanes, the Lambda's configuration. */
const LANES = 4;

let infra: Infrastructure;
const opened: Scenario[] = [];

beforeAll(async () => {
  infra = await startInfrastructure();
});
afterAll(async () => {
  await infra?.stop();
});
afterEach(async () => {
  infra.firehose.faults.reset();
  await Promise.all(opened.splice(0).map((s) => s.close()));
});

async function open(fixture: ProviderFixture, options: Omit<ScenarioOptions, 'startAt'>): Promise<Scenario> {
  const scenario = await Scenario.open(infra, fixture, { startAt: T0 * 1000, ...options });
  opened.push(scenario);
  return scenario;
}

/** 600 events in the first 20 hours of a 4-day backlog: one window dense enough to cut mid-window. */
async function denseBacklog(fixture: ProviderFixture, seed: number): Promise<Scenario> {
  const s = await open(fixture, { startFrom: T0 - 4 * DAY });
  s.sim.addEvents({ count: 600, from: s.startFrom, to: s.startFrom + 20 * HOUR, seed });
  return s;
}

const requestIdOf = (error: unknown): string | undefined => {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const id = (e as { requestId?: unknown }).requestId;
    if (typeof id === 'string') return id;
  }
  return undefined;
};

const noLossNoDuplicate = { lost: 0, duplicated: 0, unexpected: 0, idConflicts: 0 };
const pick = (c: ReturnType<Scenario['compare']>) => ({
  lost: c.lost,
  duplicated: c.duplicated,
  unexpected: c.unexpected,
  idConflicts: c.idConflicts,
});

/** Pages delivered in `a` that `b` fetched again. */
const refetched = (a: RunOutcome, b: RunOutcome) => {
  const again = new Set(pagesOf(b).map(pageId));
  return deliveredPages(a).filter((page) => again.has(pageId(page)));
};

/**
 * The pages of one window, in order, are as full as the API pages them:
 * none holds more than `pageSize`; where a page may end `anywhere`, every page
 * but the last holds exactly `pageSize`; where pages end `between-seconds`, no
 * second is split between two pages (unless a page is that second alone) and
 * a page is short only by the second it leaves whole to the next page.
 * `windowTimes`: the event times of every record the window holds.
 */
function expectFullPages(fixture: ProviderFixture, pages: readonly FetchRecord[], windowTimes: readonly number[]): void {
  const { pageSize } = fixture;
  const inSecond = (second: number | undefined) => windowTimes.filter((t) => t === second).length;
  pages.forEach((page, i) => {
    expect(page.records, `page ${pageId(page)} holds at most ${pageSize}`).toBeLessThanOrEqual(pageSize);
    const next = pages[i + 1];
    if (!next) return;
    if (fixture.pageBoundary === 'anywhere') {
      expect(page.records, `page ${pageId(page)} is full`).toBe(pageSize);
      return;
    }
    const seconds = new Set(page.times);
    if (seconds.size === 1) {
      // A second holding more than a page: the next page continues inside it.
      expect(page.records, `single-second page ${pageId(page)} is full`).toBe(pageSize);
      expect(next.times![0]).toBe(page.times![0]);
      return;
    }
    expect(next.times!.filter((t) => seconds.has(t)), `no second is split between ${pageId(page)} and the next page`).toEqual([]);
    expect(page.records! + inSecond(next.times![0]), `page ${pageId(page)} is short only by the second it leaves whole`).toBeGreaterThanOrEqual(pageSize);
  });
}

const openWindows = (cursor: Cursor | undefined) => (cursor?.windows ?? []).filter((w) => !w.done);
const describeCursor = (cursor: Cursor | undefined) => {
  const windows = openWindows(cursor);
  return `windowStart ${cursor?.windowStart}, ${windows.length} open window(s), ${windows.filter((w) => w.pageToken).length} mid-window`;
};

describe.each(fixtures)('1. many pages over several windows: $type', (fixture) => {
  it('delivers a few thousand events over several days exactly once; the cursor ends at the run\'s start - lag', async ({ annotate }) => {
    const s = await open(fixture, {
      // Several windows whatever the API's window size, inside its retention.
      startFrom: (l) => l.nowSeconds - Math.min(Math.max(4 * DAY, 3 * l.maxWindowSeconds), l.retentionSeconds - 2 * DAY),
    });
    const count = 3000;
    s.sim.addEvents({ count, from: s.startFrom, to: T0 - s.lagSeconds - 1, seed: 101 });

    const run = await s.runOk();
    const { summary } = run;
    const pages = pagesOf(run);

    expect(summary.stoppedBy).toBe('caught-up');
    expect(s.compare()).toMatchObject({
      served: count,
      delivered: count,
      unique: count,
      distinctIds: count,
      ...noLossNoDuplicate,
    });
    expect({ delivered: summary.delivered, mappingErrors: summary.mappingErrors }).toEqual({ delivered: count, mappingErrors: 0 });
    expect(summary.pulled).toBe(summary.delivered + summary.aheadRecords);
    // Every page asked for arrived, one request each: the lanes share the client's limiter, which
    // paces them under the API's rate limit (the simulator enforces it), so nothing was throttled.
    expect(pages).toHaveLength(run.fetches.length);
    expect(summary.pages).toBe(pages.length);
    expect(run.requests).toBe(summary.pages);
    const simulatedSeconds = (run.endedAt - T0 * 1000) / 1000;

    // Windows tile the range: contiguous, none wider than the API allows, the last ending at the cursor.
    const windows = [...new Map(pages.map((p) => [p.window.start, p.window])).values()].sort((a, b) => a.start - b.start);
    const maxWindow = s.createSource().maxWindowSeconds;
    expect(windows[0]!.start).toBe(s.startFrom);
    windows.forEach((w, i) => {
      expect(w.end - w.start).toBeLessThanOrEqual(maxWindow);
      if (i > 0) expect(w.start).toBe(windows[i - 1]!.end);
    });
    expect(summary.windowsCompleted).toBe(windows.length);
    expect(windows.length).toBeGreaterThanOrEqual(LANES);

    // Within each window (one lane, in order): the window's events arrive once, every page but the
    // last is as full as the API pages, and each page continues at the token of the one before.
    const { pageSize } = fixture;
    const records = s.sim.records();
    for (const w of windows) {
      const own = pages.filter((p) => p.window.start === w.start);
      const events = records.filter((r) => s.sim.eventTime(r) >= w.start && s.sim.eventTime(r) < w.end);
      expect(own.reduce((n, p) => n + p.keys!.length, 0)).toBe(events.length);
      expectFullPages(fixture, own, events.map((r) => s.sim.eventTime(r)));
      expect(own[0]!.pageToken).toBeUndefined();
      own.slice(1).forEach((p, i) => expect(p.pageToken).toBe(own[i]!.nextPageToken));
    }
    expect(summary.pages).toBeGreaterThan(windows.length);
    expect(summary.pages).toBeGreaterThanOrEqual(Math.ceil(count / pageSize));

    // The cursor: the run's horizon, its start - lag, no window open (later events are the next run's).
    const horizon = Math.floor(run.startedAt / 1000) - s.lagSeconds;
    expect(run.endedAt).toBeGreaterThan(run.startedAt);
    expect(summary.cursor).toEqual({ windowStart: horizon });
    expect(windows.at(-1)!.end).toBe(horizon);
    const state = await s.state();
    expect(state?.cursor).toEqual({ windowStart: horizon });
    expect(state).toMatchObject({ lastSuccessAt: run.endedAt });
    expect(state?.lastError).toBeUndefined();
    expect((await s.item())?.leaseOwner).toBeUndefined();

    await annotate(
      `${count} events, ${windows.length} windows, ${summary.pages} pages of up to ${pageSize}, ` +
        `${run.requests} requests in ${simulatedSeconds.toFixed(1)} simulated s ` +
        `(${(run.requests / simulatedSeconds).toFixed(1)}/s), ` +
        `${s.firehoseCalls().length} Firehose calls, ${Math.round(run.realMs)} ms`,
    );
  });
});

describe.each(fixtures)('2. events published late: $type', (fixture) => {
  it('delivers events up to `lag` late in later runs, none lost or doubled; later than lag is shown, not promised', async ({
    annotate,
  }) => {
    const s = await open(fixture, { startFrom: T0 - 2 * HOUR });
    const lag = s.lagSeconds;
    const interval = rateSeconds(s.instance.schedule) ?? 5 * MINUTE;

    // A: events up to an hour ahead of now, half of them published up to `lag` late.
    s.sim.addEvents({ count: 400, from: s.startFrom, to: T0 + HOUR, seed: 201, late: { fraction: 0.5, maxDelaySeconds: lag } });
    const withinLag = s.sim.records();
    const withinKeys = new Set(withinLag.map(recordKey));
    // B: events published up to 4 x lag late: beyond the documented limit.
    s.sim.addEvents({ count: 60, from: T0, to: T0 + HOUR, seed: 202, late: { fraction: 1, maxDelaySeconds: 4 * lag } });
    const beyondLag = s.sim.records().filter((r) => !withinKeys.has(recordKey(r)));
    expect(beyondLag).toHaveLength(60);

    const end = T0 + HOUR + 4 * lag + 2 * interval;
    let runs = 0;
    while (s.nowSeconds < end) {
      const run = await s.runOk();
      runs++;
      expect(run.summary.stoppedBy).toBe('caught-up');
      // After every run: everything of A before the cursor is delivered exactly once; nothing is doubled.
      const cursor = (await s.state())!.cursor!;
      expect(cursor).toEqual({ windowStart: Math.floor(run.startedAt / 1000) - lag });
      const snapshot = s.snapshot();
      expect(pick(snapshot.compare({ only: withinLag, before: cursor.windowStart }))).toEqual(noLossNoDuplicate);
      expect(snapshot.compare().duplicated).toBe(0);
      s.advance(interval);
    }

    const final = s.snapshot();
    expect(final.compare({ only: withinLag })).toMatchObject({ served: 400, delivered: 400, unique: 400, ...noLossNoDuplicate });
    const b = final.compare({ only: beyondLag });
    expect({ duplicated: b.duplicated, idConflicts: b.idConflicts }).toEqual({ duplicated: 0, idConflicts: 0 });
    expect(b.unique + b.lost).toBe(60);
    expect(final.compare()).toMatchObject({ served: 460, delivered: 400 + b.unique, duplicated: 0, unexpected: 0 });
    await annotate(
      `${runs} runs every ${interval} s; within lag: 400/400 delivered once; beyond lag (up to ${4 * lag} s late): ` +
        `${b.unique}/60 delivered, ${b.lost} missed (the documented limitation), no run failed`,
    );
  });
});

describe.each(fixtures)('3. a run cut by its time budget, then resumed: $type', (fixture) => {
  it('stops in time with every open window checkpointed at its last acknowledged page; the next run completes', async ({
    annotate,
  }) => {
    const s = await denseBacklog(fixture, 301);

    // One simulated second of pulling time; the provider takes 100 ms a page.
    const cut = await s.runOk({ budgetMs: 5_000 + 1_000, reserveMs: 5_000, fetchLatencyMs: 100 });
    const pages = pagesOf(cut);
    expect(cut.summary.stoppedBy).toBe('time-budget');
    expect(pages.length).toBeGreaterThanOrEqual(1);
    expect(cut.summary.pages).toBe(pages.length);
    // At most one request per lane was abandoned in flight when pulling time ran out.
    expect(cut.requests - pages.length).toBeGreaterThanOrEqual(0);
    expect(cut.requests - pages.length).toBeLessThanOrEqual(LANES);
    // It finished, flushed and checkpointed before its (simulated) Lambda deadline.
    expect(cut.endedAt).toBeLessThanOrEqual(cut.deadline);

    const state = await s.state();
    expectCursorMatchesRun(state?.cursor, cut);
    expect(openWindows(state?.cursor).length).toBeGreaterThan(0);
    expect(cut.summary.cursor?.windowStart).toBe(state?.cursor?.windowStart);
    expect(state?.lastSuccessAt).toBe(cut.endedAt);
    expect((await s.item())?.leaseOwner).toBeUndefined();
    await s.expectCursorInvariant();
    expect(s.compare().delivered).toBe(cut.summary.delivered);

    s.advance(MINUTE);
    const rest = await s.runOk();
    expect(rest.summary.stoppedBy).toBe('caught-up');
    expectResumesAt(state!.cursor!, rest);
    expect(refetched(cut, rest)).toEqual([]);
    expect(s.compare()).toMatchObject({ served: 600, delivered: 600, ...noLossNoDuplicate });
    expect(cut.summary.delivered + rest.summary.delivered).toBe(600);
    await annotate(
      `cut run: ${pages.length} pages (${cut.summary.delivered} events), cursor: ${describeCursor(state?.cursor)}; ` +
        `resumed run: ${rest.summary.pages} pages (${rest.summary.delivered} events)`,
    );
  });

  it('abandons a slow response when pulling time is up, long before it would come (sequential run)', async ({ annotate }) => {
    const s = await denseBacklog(fixture, 302);

    const slowMs = 5_000;
    const cut = await s.runOk({
      parallelWindows: 1,
      budgetMs: 5_000 + 1_500,
      reserveMs: 5_000,
      faultsBeforeFetch: { 3: [{ kind: 'slow', delayMs: slowMs, times: 1 }] },
    });
    expect(cut.summary.stoppedBy).toBe('time-budget');
    expect(cut.summary.pages).toBe(2);
    expect(cut.fetches).toHaveLength(3);
    expect(cut.fetches[2]!.error).toBeDefined();
    expect(cut.requests).toBe(3);
    expect(cut.realMs).toBeLessThan(slowMs);
    expect(cut.endedAt).toBeLessThanOrEqual(cut.deadline);

    // One window open, resuming at the third page.
    const [first, second] = pagesOf(cut);
    const stored = (await s.state())?.cursor;
    expectCursorMatchesRun(stored, cut);
    expect(stored).toEqual({
      windowStart: first!.window.start,
      // lastPage: the delivered page's fingerprint, so a provider serving it again is refused on resume.
      windows: [{ start: first!.window.start, end: first!.window.end, pageToken: second!.nextPageToken, lastPage: expect.stringMatching(/^[\w-]{43}$/) }],
    });
    await s.expectCursorInvariant();

    s.advance(MINUTE);
    const rest = await s.runOk({ parallelWindows: 1 });
    expectResumesAt(stored!, rest);
    expect(pageId(rest.fetches[0]!)).toBe(pageId(cut.fetches[2]!));
    expect(rest.requests).toBe(rest.summary.pages);
    expect(s.compare()).toMatchObject({ served: 600, delivered: 600, ...noLossNoDuplicate });
    await annotate(
      `slow page abandoned after ${Math.round(cut.realMs)} ms real (it would have taken ${slowMs} ms); ` +
        `resumed at its token with ${rest.summary.pages} pages`,
    );
  });
});

describe.each(fixtures)('4. a crash between delivery and checkpoint: $type', (fixture) => {
  it.for([
    { lanes: 1, label: 'sequential' },
    { lanes: LANES, label: 'parallel lanes' },
  ])(
    'repeats only pages not yet checkpointed, at most one per lane, with identical ids, once the lease expires ($label)',
    async ({ lanes }, { annotate }) => {
      const s = await denseBacklog(fixture, 400 + lanes);
      const crash = crashOnCheckpoint(3);

      const crashed = await s.run({ wrapStore: crash.wrap, parallelWindows: lanes });
      expect(crashed.error).toBeInstanceOf(SourceRunError);
      expect(describeError(crashed.error)).toContain('process died before checkpoint 3');
      expect(crash.saved).toHaveLength(2);
      // The stored cursor is the last one written; the dead process still holds the lease.
      const stored = (await s.state())?.cursor;
      expect(stored).toEqual(crash.saved.at(-1));
      const item = await s.item();
      expect(item?.leaseOwner?.S).toBe(crashed.owner);
      const leaseExpiresAt = Number(item?.leaseExpiresAt?.N);
      expect(leaseExpiresAt).toBeGreaterThan(s.clock.now());

      // The next scheduled run finds the lease held and pulls nothing.
      const blocked = await s.runOk({ parallelWindows: lanes });
      expect(blocked.summary).toMatchObject({ stoppedBy: 'lease-held', pages: 0, delivered: 0 });
      expect(blocked.requests).toBe(0);

      // After expiry a new owner takes over, resuming every window where the stored cursor says.
      s.clock.set(leaseExpiresAt + 1_000);
      const recovered = await s.runOk({ parallelWindows: lanes });
      expect(recovered.summary.stoppedBy).toBe('caught-up');
      expectResumesAt(stored!, recovered);

      // What repeats: the pages delivered but not covered by a saved cursor, at most one per lane.
      const repeated = refetched(crashed, recovered);
      expect(repeated.length).toBeGreaterThanOrEqual(1);
      expect(repeated.length).toBeLessThanOrEqual(lanes);
      if (lanes === 1) expect(pageId(repeated[0]!)).toBe(pageId(pagesOf(crashed)[2]!));
      const repeatedKeys = repeated.flatMap((page) => page.keys!);
      const comparison = s.compare();
      expect(comparison).toMatchObject({ served: 600, lost: 0, unexpected: 0, idConflicts: 0 });
      expect(comparison.duplicated).toBe(repeatedKeys.length);
      expect(comparison.delivered).toBe(600 + repeatedKeys.length);
      expect(new Set(comparison.duplicatedCopies.keys())).toEqual(new Set(repeatedKeys));
      // The repeated records carry the very same ids both times (idConflicts 0 above, and explicitly):
      const ids = new Map<string, Set<string>>();
      for (const document of s.delivered()) {
        const key = documentKey(document);
        ids.set(key, (ids.get(key) ?? new Set()).add(document.event.id));
      }
      expect([...ids.values()].every((set) => set.size === 1)).toBe(true);
      expect((await s.state())?.lastError).toBeUndefined();
      await annotate(
        `${lanes} lane(s): crash before the 3rd cursor write; ${repeated.length} page(s), ${repeatedKeys.length} events repeated ` +
          `with the same ids, 0 lost; the lease-held run pulled nothing`,
      );
    },
  );

  // A checkpoint extends the lease, but never past a minute after the run's deadline: a run
  // that dies late must not hold the source for a whole Lambda timeout longer.
  it('after a crash late in a run, the lease ends a minute after the run deadline', async ({ annotate }) => {
    const s = await denseBacklog(fixture, 409);

    // Each page takes two (simulated) minutes; the process dies before its 6th cursor write.
    const crashed = await s.run({ wrapStore: crashOnCheckpoint(6).wrap, fetchLatencyMs: 2 * 60_000, parallelWindows: 1 });
    expect(crashed.error).toBeInstanceOf(SourceRunError);
    expect(crashed.deliveries).toHaveLength(6);
    const leaseExpiresAt = Number((await s.item())?.leaseExpiresAt?.N);
    await annotate(
      `crash at +${Math.round((crashed.endedAt - (crashed.deadline - 15 * 60_000)) / 60_000)} min of a 15 min run: ` +
        `the lease expires ${Math.round((leaseExpiresAt - crashed.deadline) / 60_000)} min after the run's deadline`,
    );
    expect(leaseExpiresAt).toBeLessThanOrEqual(crashed.deadline + 60_000);

    // So the schedule's run two minutes after the dead run's deadline can take over.
    s.clock.set(crashed.deadline + 2 * 60_000);
    const next = await s.runOk();
    expect(next.summary.stoppedBy).toBe('caught-up');
    expect(s.compare()).toMatchObject({ served: 600, lost: 0, duplicated: crashed.deliveries[5]!.length });
  });
});

describe.each(fixtures)('5. two concurrent runs of one source: $type', (fixture) => {
  it('lets exactly one pull; the other returns lease-held; no duplicates, then or on a re-run', async ({ annotate }) => {
    const s = await open(fixture, { startFrom: T0 - 2 * DAY });
    s.sim.addEvents({ count: 500, from: s.startFrom, to: T0 - s.lagSeconds - 1, seed: 501 });

    const both = await Promise.all([s.runOk({ owner: 'lambda-a' }), s.runOk({ owner: 'lambda-b' })]);
    const stops = both.map((run) => run.summary.stoppedBy).sort();
    expect(stops).toEqual(['caught-up', 'lease-held']);
    const winner = both.find((run) => run.summary.stoppedBy === 'caught-up')!;
    const loser = both.find((run) => run.summary.stoppedBy === 'lease-held')!;
    expect(loser.fetches).toHaveLength(0);
    expect(loser.deliveries).toHaveLength(0);
    expect(loser.summary).toMatchObject({ pages: 0, pulled: 0, delivered: 0 });
    expect(winner.summary.delivered).toBe(500);
    expect(s.sim.requestCount()).toBe(winner.summary.pages);
    expect(s.compare()).toMatchObject({ served: 500, delivered: 500, ...noLossNoDuplicate });
    expect((await s.item())?.leaseOwner).toBeUndefined();

    // Steady state: the next scheduled run delivers nothing again.
    s.advance(5 * MINUTE);
    const again = await s.runOk();
    expect(again.summary).toMatchObject({ stoppedBy: 'caught-up', delivered: 0 });
    expect(s.compare()).toMatchObject({ delivered: 500, duplicated: 0 });
    await annotate(`${winner.owner} pulled ${winner.summary.pages} pages; ${loser.owner} returned lease-held without a request`);
  });
});

describe.each(fixtures)('6. resume mid-window in a fresh process: $type', (fixture) => {
  it('continues every open window from its persisted page token with new store, sink, source and SDK clients', async ({
    annotate,
  }) => {
    const s = await denseBacklog(fixture, 601);

    const first = await s.runOk({ budgetMs: 5_000 + 1_000, reserveMs: 5_000, fetchLatencyMs: 100 });
    expect(first.summary.stoppedBy).toBe('time-budget');

    const fresh = s.newProcess({ freshClients: true });
    try {
      const persisted = (await fresh.store.read(s.sourceId))?.cursor;
      expectCursorMatchesRun(persisted, first);
      const midWindow = openWindows(persisted).filter((w) => w.pageToken !== undefined);
      // Whenever a window was left with more pages to come, its token was persisted.
      const leftMid = new Set(deliveredPages(first).filter((p) => p.nextPageToken !== undefined).map((p) => p.window.start));
      const finished = new Set(deliveredPages(first).filter((p) => p.nextPageToken === undefined).map((p) => p.window.start));
      expect(midWindow.map((w) => w.start).sort()).toEqual([...leftMid].filter((start) => !finished.has(start)).sort());
      expect(midWindow.length).toBeGreaterThan(0);

      s.advance(MINUTE);
      const resumed = await s.runOk({ process: fresh });
      expect(resumed.summary.stoppedBy).toBe('caught-up');
      expectResumesAt(persisted!, resumed);
      for (const window of midWindow) {
        const firstFetch = resumed.fetches.find((f) => f.window.start === window.start)!;
        expect(firstFetch.records).toBeGreaterThan(0);
      }
      expect(refetched(first, resumed)).toEqual([]);
      expect(first.summary.delivered + resumed.summary.delivered).toBe(600);
      expect(resumed.requests).toBe(resumed.summary.pages);
      expect(s.compare()).toMatchObject({ served: 600, delivered: 600, ...noLossNoDuplicate });
      await annotate(
        `persisted: ${describeCursor(persisted)}; a fresh process resumed there: ${resumed.summary.pages} pages, ` +
          `${resumed.summary.delivered} events`,
      );
    } finally {
      fresh.close();
    }
  });
});

describe.each(fixtures)('7. provider faults: $type', (fixture) => {
  it('fails on a malformed page naming the source and request, keeps the cursor, releases the lease; the next run delivers all', async ({
    annotate,
  }) => {
    const s = await denseBacklog(fixture, 701);

    const failed = await s.run({ faultsBeforeFetch: { [LANES + 1]: [{ kind: 'malformed', times: 1 }] } });
    expect(failed.error).toBeInstanceOf(SourceRunError);
    const error = failed.error as SourceRunError;
    expect(error.sourceId).toBe(s.sourceId);
    expect(error.message).toContain(`source ${s.sourceId}`);
    expect(error.message).toMatch(/malformed/i);
    // The malformed answer carried the API's request id (every fixture's does): the error names that very request.
    const requestId = requestIdOf(error);
    expect(requestId, 'the error carries the request id').toBeDefined();
    expect(s.sim.requestIds()).toContain(requestId);
    expect(error.message).toContain(requestId);

    // The malformed page: never delivered; the cursor stops short of it, its window open at that very page.
    const bad = failed.fetches.filter((f) => f.error instanceof MalformedResponseError);
    expect(bad).toHaveLength(1);
    const badPage = bad[0]!;
    const state = await s.state();
    const stored = state?.cursor;
    expect(stored, 'pages before the failure were checkpointed').toBeDefined();
    expectCursorMatchesRun(stored, failed);
    expect(stored!.windowStart).toBeLessThanOrEqual(badPage.window.start);
    const badWindow = stored!.windows?.find((w) => w.start === badPage.window.start);
    // The fault hits a window opened before the last write (only one opened after it could be absent), so it is listed.
    expect(badPage.window.start).toBeLessThan(stored!.windows?.at(-1)?.end ?? stored!.windowStart);
    expect(badWindow).toBeDefined();
    expect(badWindow!.done).toBeUndefined();
    expect(badWindow!.pageToken).toBe(badPage.pageToken);
    await s.expectCursorInvariant();
    expect(s.compare().delivered).toBe(deliveredPages(failed).reduce((n, p) => n + p.keys!.length, 0));
    // The lease is free again and the failure is on record.
    expect((await s.item())?.leaseOwner).toBeUndefined();
    expect(state).toMatchObject({ lastError: error.message, lastRunAt: failed.endedAt });
    expect(state?.lastSuccessAt).toBeUndefined();

    s.advance(MINUTE);
    const next = await s.runOk();
    expectResumesAt(stored!, next);
    expect(next.fetches.some((f) => pageId(f) === pageId(badPage) && f.records !== undefined)).toBe(true);
    expect(refetched(failed, next)).toEqual([]);
    expect(next.requests).toBe(next.summary.pages);
    expect(s.compare()).toMatchObject({ served: 600, delivered: 600, ...noLossNoDuplicate });
    expect((await s.state())?.lastError).toBeUndefined();
    await annotate(`error: ${error.message}`);
  });

  it('retries throttling and server errors transparently', async ({ annotate }) => {
    const s = await denseBacklog(fixture, 702);

    const run = await s.runOk({
      faultsBeforeFetch: {
        2: [{ kind: 'throttle', times: 2 }],
        [LANES + 2]: [{ kind: 'server-error', times: 2 }],
      },
    });
    expect(run.summary.stoppedBy).toBe('caught-up');
    expect(run.fetches.every((f) => f.error === undefined)).toBe(true);
    expect(run.requests).toBe(run.summary.pages + 4);
    expect(s.compare()).toMatchObject({ served: 600, delivered: 600, ...noLossNoDuplicate });
    await annotate(`${run.summary.pages} pages, ${run.requests} requests (2 throttled, 2 server errors, all retried)`);
  });
});

describe.each(fixtures)('8. Firehose faults: $type', (fixture) => {
  it('retries partial failures and throttling, resending only what failed; nothing lost or doubled', async ({ annotate }) => {
    const s = await denseBacklog(fixture, 801);
    const { faults } = s.infra.firehose;

    const run = await s.runOk({
      beforeDelivery: {
        2: () => faults.failNextCall([0]),
        3: () => faults.throttle(2),
        4: () => faults.failNextCall([0], 'InternalFailure'),
      },
    });
    expect(run.summary.stoppedBy).toBe('caught-up');
    expect(run.deliveries.length).toBeGreaterThanOrEqual(4);
    expect(s.compare()).toMatchObject({ served: 600, delivered: 600, ...noLossNoDuplicate });

    // Calls: what the documents need, plus one resend per partial failure and one per throttled call.
    const needed = run.deliveries.reduce((n, docs) => n + pack(docs.map((d) => encodeDocument(d))).length, 0);
    const calls = s.firehoseCalls();
    expect(calls.filter((c) => c.error !== undefined)).toHaveLength(2);
    expect(calls.filter((c) => c.failed.length > 0)).toHaveLength(2);
    expect(calls).toHaveLength(needed + 4);
    await annotate(`${run.deliveries.length} deliveries, ${calls.length} Firehose calls (${needed} needed + 2 partial resends + 2 throttled)`);
  });

  it('fails the run when retries are exhausted, without moving the cursor past it; the next run recovers', async ({ annotate }) => {
    const s = await denseBacklog(fixture, 802);
    const { faults } = s.infra.firehose;

    let callsBefore = 0;
    const failed = await s.run({
      beforeDelivery: {
        3: () => {
          callsBefore = s.firehoseCalls().length;
          faults.failCalls(100, 'ServiceUnavailableException');
        },
      },
    });
    faults.reset();
    expect(failed.error).toBeInstanceOf(SourceRunError);
    const message = (failed.error as Error).message;
    expect(message).toContain(`source ${s.sourceId}`);
    expect(message).toContain(`firehose:${s.stream}`);
    // Each delivery under way when Firehose went down tried its call 6 times (the sink's attempts), all refused.
    const attempts = s.firehoseCalls().slice(callsBefore);
    expect(attempts.length).toBeGreaterThanOrEqual(6);
    expect(attempts.length % 6).toBe(0);
    expect(attempts.every((c) => c.error === 'ServiceUnavailableException')).toBe(true);

    const state = await s.state();
    expectCursorMatchesRun(state?.cursor, failed);
    expect(state).toMatchObject({ lastError: message });
    expect((await s.item())?.leaseOwner).toBeUndefined();
    await s.expectCursorInvariant();

    s.advance(MINUTE);
    const next = await s.runOk();
    expectResumesAt(state!.cursor!, next);
    expect(refetched(failed, next)).toEqual([]);
    expect(s.compare()).toMatchObject({ served: 600, delivered: 600, ...noLossNoDuplicate });
    await annotate(
      `${attempts.length / 6} delivery(ies) refused 6 times: run failed with "${message}"; next run delivered the rest, nothing twice`,
    );
  });
});

describe.each(fixtures)('9. records in the same second, identical records: $type', (fixture) => {
  it('delivers every one of them, once', async ({ annotate }) => {
    const s = await open(fixture, { startFrom: T0 - 2 * DAY });
    s.sim.addEvents({ count: 200, identicalPairs: 40, from: s.startFrom, to: T0 - s.lagSeconds - 1, seed: 901 });
    const records = s.sim.records();
    expect(records).toHaveLength(280);
    const perSecond = new Map<number, number>();
    for (const r of records) perSecond.set(s.sim.eventTime(r), (perSecond.get(s.sim.eventTime(r)) ?? 0) + 1);
    expect([...perSecond.values()].filter((n) => n >= 2).length).toBeGreaterThanOrEqual(40);
    const distinctRecords = new Set(records.map(recordKey)).size;
    // Without provider ids each pair is one content twice; with ids the pair differs in its ids only.
    expect(distinctRecords).toBe(fixture.providerIds ? 280 : 240);

    const run = await s.runOk();
    expect(run.summary).toMatchObject({ stoppedBy: 'caught-up', delivered: 280 });
    expect(s.compare()).toMatchObject({
      served: 280,
      delivered: 280,
      unique: distinctRecords,
      distinctIds: 280,
      ...noLossNoDuplicate,
    });

    s.advance(5 * MINUTE);
    await s.runOk();
    expect(s.compare()).toMatchObject({ delivered: 280, duplicated: 0 });
    await annotate(`280 records, ${distinctRecords} distinct contents, 280 distinct event ids over ${run.summary.pages} pages`);
  });

  it('gives records identical across page boundaries distinct ids, the same ones when a page is pulled again', async ({ annotate }) => {
    const s = await open(fixture, { startFrom: T0 - 2 * DAY });
    const { pageSize } = fixture;
    const windowSeconds = s.createSource().maxWindowSeconds;
    // The first window: a second holding two pages and ten records (one operation logged again and
    // again: identical records, or identical but for their ids), the window's newest, and 40 older
    // records. Later windows: 100 more.
    const burst = { at: s.startFrom + Math.floor(windowSeconds / 2), count: 2 * pageSize + 10 };
    s.sim.addEvents({ count: 40, from: s.startFrom, to: burst.at - 1, seed: 902, sameSecond: burst });
    s.sim.addEvents({ count: 100, from: s.startFrom + windowSeconds + 1, to: T0 - s.lagSeconds - 1, seed: 903 });
    const total = 40 + burst.count + 100;
    const records = s.sim.records();
    expect(records).toHaveLength(total);
    const inBurst = (time: number | undefined) => time === burst.at;
    const burstRecords = records.filter((r) => inBurst(s.sim.eventTime(r)));
    expect(burstRecords).toHaveLength(burst.count);
    expect(new Set(burstRecords.map(recordKey)).size).toBe(fixture.providerIds ? burst.count : 1);
    const distinctRecords = new Set(records.map(recordKey)).size;
    expect(distinctRecords).toBe(fixture.providerIds ? total : total - burst.count + 1);

    // A sequential run dies before its 2nd cursor write: its 2nd page is delivered, not checkpointed.
    const crashed = await s.run({ wrapStore: crashOnCheckpoint(2).wrap, parallelWindows: 1 });
    expect(describeError(crashed.error)).toContain('process died before checkpoint 2');
    const [first, second] = deliveredPages(crashed);
    expect(deliveredPages(crashed)).toHaveLength(2);
    expect(first!.window).toEqual({ start: s.startFrom, end: s.startFrom + windowSeconds });
    // Both pages lie wholly inside the burst: a page boundary falls inside the second, between identical records.
    expect([...first!.times!, ...second!.times!].every(inBurst)).toBe(true);
    expect([first!.keys!.length, second!.keys!.length]).toEqual([pageSize, pageSize]);

    // Once the lease expires, a fresh process pulls the 2nd page again from the stored token, then the rest.
    s.clock.set(Number((await s.item())?.leaseExpiresAt?.N) + 1_000);
    const recovered = await s.runOk({ parallelWindows: 1 });
    expect(recovered.summary.stoppedBy).toBe('caught-up');
    expect(refetched(crashed, recovered).map(pageId)).toEqual([pageId(second!)]);
    const [again, third] = pagesOf(recovered);
    expect(again!.keys).toEqual(second!.keys);
    // The third page begins with the burst's last ten: another boundary inside the second.
    expect(third!.pageToken).toBe(again!.nextPageToken);
    expect(third!.times!.filter(inBurst)).toHaveLength(burst.count - 2 * pageSize);
    expect(inBurst(third!.times![0])).toBe(true);

    // Every record once, the repeated page with the very ids it had the first time: as many ids as records.
    expect(s.compare()).toMatchObject({
      served: total,
      delivered: total + pageSize,
      unique: distinctRecords,
      distinctIds: total,
      lost: 0,
      duplicated: pageSize,
      unexpected: 0,
      idConflicts: 0,
    });
    const burstIds = new Set(s.delivered().filter((d) => inBurst(Date.parse(d['@timestamp']) / 1000)).map((d) => d.event.id));
    expect(burstIds.size).toBe(burst.count);

    s.advance(5 * MINUTE);
    expect((await s.runOk()).summary.delivered).toBe(0);
    await annotate(
      `${burst.count} records in one second over 3 pages, ${fixture.providerIds ? 'identical but for their ids' : 'identical'}: ` +
        `${burstIds.size} distinct ids; the page pulled again after a crash kept its ${pageSize} ids`,
    );
  });
});

describe.each(fixtures)('10. credentials never appear: $type', (fixture) => {
  it('in no delivered record, error, stored error or log line, through faults, failures and bad keys', async ({ annotate }) => {
    const s = await open(fixture, { startFrom: T0 - 2 * DAY });
    s.sim.addEvents({ count: 300, from: s.startFrom, to: T0 - s.lagSeconds - 1, seed: 1001 });
    const planted = Object.values(s.sim.credentials);
    const wrong = Object.fromEntries(Object.entries(s.sim.credentials).map(([k, v]) => [k, `${v.slice(0, -6)}WRONG1`]));
    const secrets = [...planted, ...Object.values(wrong)];
    expect(secrets.every((v) => v.length >= 8)).toBe(true);

    // Retries, a Firehose partial failure, then a malformed page: warnings and an error.
    const faulty = await s.run({
      faultsBeforeFetch: { 1: [{ kind: 'throttle', times: 1 }], [LANES + 1]: [{ kind: 'malformed', times: 1 }] },
      beforeDelivery: { 1: () => s.infra.firehose.faults.failNextCall([0]) },
    });
    expect(faulty.error).toBeDefined();
    const items = [JSON.stringify(await s.item())];
    s.advance(MINUTE);
    // Keys the provider refuses.
    const refused = await s.run({ credentials: wrong });
    expect(refused.error).toBeDefined();
    items.push(JSON.stringify(await s.item()));
    s.advance(MINUTE);
    const ok = await s.runOk();
    expect(ok.summary.stoppedBy).toBe('caught-up');
    expect(s.compare()).toMatchObject({ served: 300, ...noLossNoDuplicate });

    const texts = {
      logs: s.log.lines.join('\n'),
      errors: [faulty.error, refused.error].map(describeError).join('\n'),
      items: [...items, JSON.stringify(await s.item())].join('\n'),
      firehose: s
        .firehoseCalls()
        .flatMap((c) => c.records.map((r) => r.toString('utf8')))
        .join('\n'),
    };
    expect(s.log.lines.some((line) => line.startsWith('warn'))).toBe(true);
    expect(texts.firehose.length).toBeGreaterThan(0);
    for (const [where, text] of Object.entries(texts)) {
      for (const secret of secrets) expect(text.includes(secret), `${where} contains a credential`).toBe(false);
    }
    await annotate(
      `${secrets.length} planted values absent from ${s.log.lines.length} log lines, 2 errors, 3 stored states and ` +
        `${s.firehoseCalls().length} Firehose calls; refused keys failed with: ${(refused.error as Error).message}`,
    );
  });
});
