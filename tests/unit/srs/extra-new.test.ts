import { describe, expect, test } from 'vitest';
import {
  extraNewOn,
  MAX_EXTRA_NEW,
  parseExtraNew,
  raiseNewLimit,
  withExtraNew,
} from '../../../src/srs/extra-new';
import { DEFAULT_SETTINGS } from '../../../src/srs/settings';

describe("today's extra new cards", () => {
  test('raise the new-card limit on the day they were asked for', () => {
    const record = raiseNewLimit(undefined, 20_000, 5);
    expect(extraNewOn(record, 20_000)).toBe(5);
    expect(withExtraNew(DEFAULT_SETTINGS, extraNewOn(record, 20_000)).newPerDay).toBe(25);
  });

  test('are gone the next day', () => {
    const record = raiseNewLimit(undefined, 20_000, 5);
    expect(extraNewOn(record, 20_001)).toBe(0);
    expect(withExtraNew(DEFAULT_SETTINGS, extraNewOn(record, 20_001)).newPerDay).toBe(20);
  });

  test('add up within one day and start afresh on another', () => {
    const twice = raiseNewLimit(raiseNewLimit(undefined, 20_000, 5), 20_000, 3);
    expect(twice).toEqual({ day: 20_000, extra: 8 });
    expect(raiseNewLimit(twice, 20_001, 2)).toEqual({ day: 20_001, extra: 2 });
    expect(raiseNewLimit({ day: 20_000, extra: MAX_EXTRA_NEW }, 20_000, 10).extra).toBe(
      MAX_EXTRA_NEW,
    );
  });

  test('a damaged record allows nothing extra', () => {
    for (const stored of [null, 'ten', { day: 20_000, extra: -3 }, { day: 20_000, extra: 1.5 }]) {
      expect(extraNewOn(stored, 20_000)).toBe(0);
    }
  });

  test('a request must be a whole number from 1 up', () => {
    expect(parseExtraNew(' 10 ')).toEqual({ ok: true, more: 10 });
    for (const text of ['', '0', '-2', '2.5', 'ten', String(MAX_EXTRA_NEW + 1)]) {
      expect(parseExtraNew(text).ok).toBe(false);
    }
  });
});
