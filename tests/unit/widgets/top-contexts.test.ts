import { describe, expect, it } from 'vitest';
import { contextSpan } from '../../../src/widgets/kit/top-contexts';

const BOS = 0;

describe('the context shown around a firing token', () => {
  it('takes up to `before` tokens before and `after` after the token', () => {
    const ids = [BOS, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    expect(contextSpan(ids, 6, 2, 1, BOS)).toEqual({
      start: 4,
      end: 8,
      cutBefore: true,
      cutAfter: true,
    });
  });

  it('never shows the <bos> that starts the window', () => {
    const ids = [BOS, 1, 2, 3];
    expect(contextSpan(ids, 2, 10, 10, BOS)).toEqual({
      start: 1,
      end: 4,
      cutBefore: false,
      cutAfter: false,
    });
  });

  it('stays inside the document the token is in', () => {
    const ids = [BOS, 1, 2, BOS, 4, 5, BOS, 7];
    expect(contextSpan(ids, 4, 10, 10, BOS)).toMatchObject({ start: 4, end: 6 });
  });

  it('treats every token as text when the model has no <bos>', () => {
    expect(contextSpan([0, 1, 2], 1, 5, 5, null)).toMatchObject({ start: 0, end: 3 });
  });
});
