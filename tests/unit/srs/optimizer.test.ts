import { beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_PARAMETERS, evaluateFit, trainingItems } from '../../../src/srs/memory-model';
import {
  fitItems,
  fitPersonalParameters,
  fsrsBrowserTrainer,
  MIN_TRAINING_ITEMS,
  type FsrsBrowser,
} from '../../../src/srs/optimizer';
import { createScheduler, emptySchedule } from '../../../src/srs/scheduler';
import { DEFAULT_SETTINGS } from '../../../src/srs/settings';
import { simulateLearner } from '../../../src/srs/simulated-learner';
import { loadFsrsBrowser } from './fsrs-browser-node';

/** A learner who forgets faster than FSRS's default learner and whose memory decays more steeply. */
const LEARNER = [...DEFAULT_PARAMETERS];
LEARNER[0] = 0.1;
LEARNER[1] = 0.5;
LEARNER[2] = 1.0;
LEARNER[3] = 3.5;
LEARNER[8] = 1.3;
LEARNER[20] = 0.45;

let fsrs: FsrsBrowser;
beforeAll(async () => {
  fsrs = await loadFsrsBrowser();
});

describe('personal FSRS parameters from the FSRS optimizer', () => {
  test('fitted to a simulated learner, they predict the learner’s held-out reviews better than the defaults', async () => {
    const log = simulateLearner({ parameters: LEARNER, reviews: 8000, seed: 7 });
    const heldOut = (cardId: string) => Number(cardId.split('-').at(-1)) % 5 === 0;
    const train = trainingItems(
      log.filter((row) => !heldOut(row.cardId)),
      4,
    );
    const test = trainingItems(
      log.filter((row) => heldOut(row.cardId)),
      4,
    );
    expect(test.length).toBeGreaterThan(500);

    const result = await fitItems(train, fsrsBrowserTrainer(fsrs));
    expect(result.status).toBe('fitted');
    if (result.status !== 'fitted') return;
    expect(result.parameters).toHaveLength(21);
    expect(result.better).toBe(true);

    const defaults = evaluateFit(test, DEFAULT_PARAMETERS);
    const personal = evaluateFit(test, result.parameters);
    expect(personal.logLoss).toBeLessThan(defaults.logLoss);
    expect(personal.rmse).toBeLessThan(defaults.rmse);
    // And they come closer to the truth: the learner's own parameters fit best of all.
    expect(evaluateFit(test, LEARNER).logLoss).toBeLessThan(defaults.logLoss);
  }, 120_000);

  test('with too few reviews it says how many are needed and never runs the optimizer', async () => {
    const log = simulateLearner({ parameters: LEARNER, reviews: 600, seed: 3 });
    let ran = false;
    const result = await fitPersonalParameters(log, 4, () => {
      ran = true;
      return [...DEFAULT_PARAMETERS];
    });
    expect(result).toEqual({
      status: 'too-few',
      items: trainingItems(log, 4).length,
      needed: MIN_TRAINING_ITEMS,
    });
    expect(ran).toBe(false);
  });

  test('parameters the optimizer could not have meant are refused', async () => {
    const log = simulateLearner({ parameters: LEARNER, reviews: 3000, seed: 5 });
    const broken = [...DEFAULT_PARAMETERS];
    broken[4] = Number.NaN;
    await expect(fitPersonalParameters(log, 4, () => broken)).rejects.toThrow(/cannot use/);
    await expect(fitPersonalParameters(log, 4, () => [1, 2, 3])).rejects.toThrow(/cannot use/);
  });
});

describe('training items', () => {
  test('each predicts a review on a later day than the one before, with the history up to it', () => {
    const day = 86_400_000;
    const t0 = Date.UTC(2026, 0, 5, 12);
    const log = [
      { cardId: 'p/a', grade: 3 as const, review: t0 },
      { cardId: 'p/a', grade: 3 as const, review: t0 + 600_000 },
      { cardId: 'p/a', grade: 1 as const, review: t0 + 3 * day },
      { cardId: 'p/a', grade: 3 as const, review: t0 + 5 * day },
    ];
    expect(trainingItems(log, 4)).toEqual([
      { grades: [3, 3, 1], deltaDays: [0, 0, 3] },
      { grades: [3, 3, 1, 3], deltaDays: [0, 0, 3, 2] },
    ]);
  });
});

describe('scheduling with personal parameters', () => {
  test('a learner whose first memories are weaker gets shorter first intervals', () => {
    const now = Date.UTC(2026, 0, 5, 12);
    const weaker = [...DEFAULT_PARAMETERS];
    weaker[2] = 0.3; // initial stability after Good, in days
    const byDefault = createScheduler(DEFAULT_SETTINGS);
    const personal = createScheduler({
      ...DEFAULT_SETTINGS,
      fsrsParameters: weaker,
      learningSteps: [],
    });
    const plain = createScheduler({ ...DEFAULT_SETTINGS, learningSteps: [] });
    expect(personal.apply('p/a', emptySchedule(now), 3, now).schedule.stability).toBeCloseTo(0.3);
    expect(plain.apply('p/a', emptySchedule(now), 3, now).schedule.stability).toBeCloseTo(
      DEFAULT_PARAMETERS[2]!,
    );
    expect(byDefault.settings.fsrsParameters).toBeNull();
  });
});
