import { describe, expect, it } from 'vitest';
import { WindowBook } from '../../shared/core/window-book';

const DAY = 86_400;
const now = 1_800_000_000;
const limits = { nowSeconds: now, lagSeconds: 600, maxWindowSeconds: DAY, retentionSeconds: 90 * DAY };
const horizon = now - 600;

describe('WindowBook', () => {
  it('hands out contiguous windows and folds finished ones into windowStart in order', () => {
    const book = new WindowBook({ windowStart: horizon - 3 * DAY });
    const [a, b, c] = [book.take(limits, 3)!, book.take(limits, 3)!, book.take(limits, 3)!];
    expect([a, b, c]).toEqual([
      { start: horizon - 3 * DAY, end: horizon - 2 * DAY },
      { start: horizon - 2 * DAY, end: horizon - DAY },
      { start: horizon - DAY, end: horizon },
    ]);
    expect(book.take(limits, 3)).toBeUndefined();

    book.advance(b, undefined); // b finishes first: windowStart must not pass a
    book.advance(a, '17');
    expect(book.cursor()).toEqual({
      windowStart: a.start,
      windows: [
        { start: a.start, end: a.end, pageToken: '17' },
        { start: b.start, end: b.end, done: true },
        { start: c.start, end: c.end },
      ],
    });
    book.advance(a, undefined);
    expect(book.cursor()).toEqual({ windowStart: c.start, windows: [{ start: c.start, end: c.end }] });
    book.advance(c, undefined);
    expect(book.cursor()).toEqual({ windowStart: horizon });
  });

  it('resumes unfinished windows from their page tokens before opening new ones', () => {
    const start = horizon - 2 * DAY;
    const book = new WindowBook({
      windowStart: start,
      windows: [
        { start, end: start + DAY / 2, pageToken: '99' },
        { start: start + DAY / 2, end: start + DAY, done: true },
        { start: start + DAY, end: start + 1.5 * DAY },
      ],
    });
    expect(book.take(limits, 2)).toEqual({ start, end: start + DAY / 2, pageToken: '99' });
    expect(book.take(limits, 2)).toEqual({ start: start + DAY, end: start + 1.5 * DAY });
    expect(book.take(limits, 2)).toEqual({ start: start + 1.5 * DAY, end: start + 2 * DAY }); // a 2-day backlog in 2 lanes: 1-day windows
    expect(book.take(limits, 2)).toBeUndefined();
  });

  it('remembers the fingerprint of an open window\'s last delivered page, and forgets it once the window is done', () => {
    const book = new WindowBook({ windowStart: horizon - DAY });
    const window = book.take(limits, 1)!;
    book.advance(window, 'p2', 'fingerprint-of-page-1');
    expect(book.cursor().windows).toEqual([{ start: horizon - DAY, end: horizon, pageToken: 'p2', lastPage: 'fingerprint-of-page-1' }]);
    // A page that cannot be compared (no fingerprint) must not leave the older one behind.
    book.advance(window, 'p3');
    expect(book.cursor().windows).toEqual([{ start: horizon - DAY, end: horizon, pageToken: 'p3' }]);
    book.advance(window, 'p4', 'fingerprint-of-page-3');
    book.advance(window, undefined, 'fingerprint-of-page-4');
    expect(book.cursor()).toEqual({ windowStart: horizon });
  });

  it('keeps a released window open for the next run', () => {
    const book = new WindowBook({ windowStart: horizon - DAY });
    const window = book.take(limits, 1)!;
    book.advance(window, 'abc');
    book.release(window);
    expect(book.cursor()).toEqual({ windowStart: horizon - DAY, windows: [{ start: horizon - DAY, end: horizon, pageToken: 'abc' }] });
    expect(book.take(limits, 1)).toBe(window);
  });
});
