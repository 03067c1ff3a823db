import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, parseInstant, parseTimeArgument } from '../../shared/lib/duration';

describe('parseDuration', () => {
  it.each([
    ['30s', 30],
    ['10m', 600],
    ['6h', 21_600],
    ['7d', 604_800],
    ['0s', 0],
    [' 5m ', 300],
  ])('reads %j as %d seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['abc', '5', '5 m', '5min', '1.5h', '-5m', '5M', '', 'm'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it.each([
    [30, '30s'],
    [600, '10m'],
    [7200, '2h'],
    [172_800, '2d'],
    [90, '90s'],
  ])('formats %d seconds as %j', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe('parseInstant', () => {
  it.each([
    ['2026-01-01', 1_767_225_600],
    ['2026-01-01T00:00:00Z', 1_767_225_600],
    ['2026-01-01T08:00:00+08:00', 1_767_225_600],
    ['2025-12-31T19:00-05:00', 1_767_225_600],
    ['2026-01-01T00:00:00.999Z', 1_767_225_600],
    ['2024-02-29T12:00:00Z', 1_709_208_000],
  ])('reads %j as %d', (text, seconds) => {
    expect(parseInstant(text)).toBe(seconds);
  });

  it.each([
    '12', // Date.parse: December 2001
    '2026',
    '2026-1-1',
    '2026-01-01T00:00:00', // no zone: the machine's, which nobody meant
    '2026-02-30',
    '2025-02-29',
    '2026-13-01',
    '2026-01-01T24:00:00Z',
    '2026-01-01T10:61:00Z',
    'Jan 1 2026',
    '2026-01-01 00:00:00Z',
  ])('refuses %j', (text) => {
    expect(parseInstant(text)).toBeUndefined();
  });
});

describe('parseTimeArgument', () => {
  const now = 1_767_225_600;
  it.each([
    ['7d', now - 604_800],
    ['36h', now - 129_600],
    ['1767139200', 1_767_139_200],
    ['2025-12-31T00:00:00Z', 1_767_139_200],
  ])('reads %j', (text, seconds) => {
    expect(parseTimeArgument(text, now)).toBe(seconds);
  });

  it.each(['yesterday', '12', '7 days', ''])('refuses %j', (text) => {
    expect(parseTimeArgument(text, now)).toBeUndefined();
  });
});
