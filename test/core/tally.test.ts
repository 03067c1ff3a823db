import { describe, expect, it } from 'vitest';
import { RunTally, type PageResult } from '../../shared/core/tally';

const page = (overrides: Partial<PageResult> = {}): PageResult => ({
  window: { start: 100, end: 200 },
  windowCompleted: false,
  pulled: 10,
  delivered: 9,
  mappingErrors: 1,
  lateRecords: 0,
  aheadRecords: 0,
  alertsRaised: 0,
  retries: { total: 0, throttled: 0 },
  ...overrides,
});

describe('RunTally', () => {
  it('starts at zero, caught up', () => {
    expect(new RunTally('audit').finish({ stoppedBy: 'caught-up', durationMs: 7 })).toEqual({
      sourceId: 'audit',
      pages: 0,
      pulled: 0,
      delivered: 0,
      mappingErrors: 0,
      retries: 0,
      throttledRetries: 0,
      lateRecords: 0,
      aheadRecords: 0,
      windowsCompleted: 0,
      skippedSeconds: 0,
      alerts: { raised: 0, published: 0, suppressed: 0, deferred: 0 },
      stoppedBy: 'caught-up',
      durationMs: 7,
    });
  });

  it('adds page results and alert reports; the last page names the window', () => {
    const tally = new RunTally('audit');
    tally.addPage(page({ pulled: 10, delivered: 9, mappingErrors: 1, alertsRaised: 2, retries: { total: 3, throttled: 2 } }));
    tally.addAlertReport({ published: 1, suppressed: 1, deferred: 0 });
    tally.addPage(page({ window: { start: 200, end: 300 }, windowCompleted: true, pulled: 5, delivered: 5, mappingErrors: 0, lateRecords: 1, aheadRecords: 2, retries: { total: 1, throttled: 0 } }));
    tally.addAlertReport({ published: 0, suppressed: 0, deferred: 4 });
    tally.skipped(60);
    expect(tally.progress()).toMatchObject({
      window: { start: 200, end: 300 },
      pages: 2,
      pulled: 15,
      delivered: 14,
      mappingErrors: 1,
      retries: 4,
      throttledRetries: 2,
      lateRecords: 1,
      aheadRecords: 2,
      windowsCompleted: 1,
      skippedSeconds: 60,
      alerts: { raised: 2, published: 1, suppressed: 1, deferred: 4 },
    });
    expect(tally.delivered).toBe(14);
  });

  it('hands out copies: progress taken earlier does not move with the run', () => {
    const tally = new RunTally('audit');
    tally.addPage(page());
    const before = tally.progress();
    tally.addPage(page());
    tally.addAlertReport({ published: 1, suppressed: 0, deferred: 0 });
    expect(before).toMatchObject({ pages: 1, alerts: { published: 0 } });
    expect(tally.progress()).toMatchObject({ pages: 2, alerts: { published: 1 } });
  });
});
