import { describe, expect, it } from 'vitest';
import { judge, readPredictedNumber } from '../../../src/widgets/kit/prediction';

describe('judging a prediction against what the experiment gave', () => {
  it('holds a choice that is the outcome, and names the outcome by its label', () => {
    const verdict = judge('L1H3', { kind: 'choice', value: 'L1H3', label: 'head 1.3' });
    expect(verdict.held).toBe(true);
    expect(verdict.comparison).toBe('Your prediction held: head 1.3.');
  });

  it('misses a different choice and says what it was', () => {
    const verdict = judge('L0H1', { kind: 'choice', value: 'L1H3', label: 'head 1.3' });
    expect(verdict.held).toBe(false);
    expect(verdict.comparison).toBe('Not this time: it was head 1.3.');
  });

  it('holds a number within the tolerance, edges included', () => {
    expect(judge(0.7, { kind: 'number', value: 0.9, tolerance: 0.2 }).held).toBe(true);
    expect(judge(1.1, { kind: 'number', value: 0.9, tolerance: 0.2 }).held).toBe(true);
  });

  it('misses a number outside the tolerance and says by how much', () => {
    const verdict = judge(0.2, { kind: 'number', value: 0.95, tolerance: 0.1 });
    expect(verdict.held).toBe(false);
    expect(verdict.comparison).toBe(
      'Not this time: you said 0.2, the model gave 0.95 (off by 0.75).',
    );
  });

  it('refuses a choice where a number was asked for', () => {
    expect(() => judge('high', { kind: 'number', value: 1, tolerance: 0.1 })).toThrow(
      'a number prediction needs a finite number',
    );
  });
});

describe('reading a predicted number the reader typed', () => {
  it('reads decimals, with a point or a comma, and a minus sign', () => {
    expect(readPredictedNumber(' 0.8 ', 0, 1)).toEqual({ value: 0.8 });
    expect(readPredictedNumber('0,25', 0, 1)).toEqual({ value: 0.25 });
    expect(readPredictedNumber('−3', -10, 10)).toEqual({ value: -3 });
  });

  it('says what is expected for text that is not a number or out of range', () => {
    const problem = { problem: 'Type a number from 0 to 1.' };
    expect(readPredictedNumber('', 0, 1)).toEqual(problem);
    expect(readPredictedNumber('lots', 0, 1)).toEqual(problem);
    expect(readPredictedNumber('1e3', 0, 1)).toEqual(problem);
    expect(readPredictedNumber('1.5', 0, 1)).toEqual(problem);
  });
});
