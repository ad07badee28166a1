import { describe, expect, it } from 'vitest';
import { buildReadingPlan } from '../../../src/progress/plan';
import {
  chapterProgress,
  daysActive,
  nextToRead,
  papersByPriority,
  progressMap,
  progressTimes,
  withState,
} from '../../../src/progress/progress';
import { parsePaperProgress, ProgressRowError } from '../../../src/progress/schema';
import type { PaperProgress, ReadingState } from '../../../src/progress/types';

type Priority = 'essential' | 'recommended' | 'optional';
const paper = (id: string, priority: Priority, chapter: string, kind = 'paper' as const) => ({
  id,
  title: `Title of ${id}`,
  priority,
  chapter,
  kind,
});

const plan = buildReadingPlan({
  chapters: [
    { slug: 'start', title: 'Start here', papers: ['intro'] },
    { slug: 'one', title: 'One', papers: ['a-opt', 'b-ess', 'video', 'c-rec', 'missing'] },
    { slug: 'two', title: 'Two', papers: ['d-ess', 'e-rec'] },
  ],
  papers: [
    paper('intro', 'optional', 'start'),
    paper('a-opt', 'optional', 'one'),
    paper('b-ess', 'essential', 'one'),
    { ...paper('video', 'essential', 'one'), kind: 'companion' as const },
    paper('c-rec', 'recommended', 'one'),
    paper('d-ess', 'essential', 'two'),
    paper('e-rec', 'recommended', 'two'),
  ],
});

const T0 = Date.UTC(2026, 10, 20, 12);
const HOUR = 3_600_000;

function rows(states: Record<string, ReadingState>): Map<string, PaperProgress> {
  return progressMap(
    Object.entries(states).map(([id, state]) => withState(undefined, id, state, T0)),
  );
}

describe('the reading plan', () => {
  it('lists each chapter with its papers in the source order, leaving out companions and unknown ids', () => {
    expect(plan.chapters.map((c) => [c.slug, c.papers.map((p) => p.id)])).toEqual([
      ['start', ['intro']],
      ['one', ['a-opt', 'b-ess', 'c-rec']],
      ['two', ['d-ess', 'e-rec']],
    ]);
  });

  it('links each paper to its section in its chapter', () => {
    expect(plan.chapters[0]?.papers[0]?.href).toBe('/#intro');
    expect(plan.chapters[1]?.path).toBe('/one/');
    expect(plan.chapters[2]?.papers[1]?.href).toBe('/two/#e-rec');
  });
});

describe('setting a paper state', () => {
  it('records when the state was set and when each state was first reached', () => {
    const skimmed = withState(undefined, 'b-ess', 'skimmed', T0);
    const read = withState(skimmed, 'b-ess', 'read', T0 + HOUR);
    expect(read).toEqual({
      paperId: 'b-ess',
      state: 'read',
      updatedAt: T0 + HOUR,
      reached: { skimmed: T0, read: T0 + HOUR },
    });
  });

  it('keeps the first date a state was reached when the reader goes back and forward again', () => {
    const read = withState(undefined, 'b-ess', 'read', T0);
    const back = withState(read, 'b-ess', 'unread', T0 + HOUR);
    const again = withState(back, 'b-ess', 'read', T0 + 2 * HOUR);
    expect(back.state).toBe('unread');
    expect(again.reached.read).toBe(T0);
    expect(again.updatedAt).toBe(T0 + 2 * HOUR);
  });
});

describe('chapter progress', () => {
  it('counts read and deep-read papers as done and skimmed ones apart', () => {
    const chapter = plan.chapters[1]!;
    const progress = chapterProgress(chapter, rows({ 'a-opt': 'skimmed', 'c-rec': 'deep-read' }));
    expect(progress).toEqual({
      slug: 'one',
      total: 3,
      done: 1,
      counts: { unread: 1, skimmed: 1, read: 0, 'deep-read': 1 },
    });
  });

  it('ignores progress on papers that are not in the chapter', () => {
    expect(chapterProgress(plan.chapters[2]!, rows({ 'b-ess': 'read' })).done).toBe(0);
  });
});

describe('what to read next', () => {
  it('orders papers essential first, then recommended, then optional, each in the source order', () => {
    expect(papersByPriority(plan).map((p) => p.id)).toEqual([
      'b-ess',
      'd-ess',
      'c-rec',
      'e-rec',
      'intro',
      'a-opt',
    ]);
  });

  it('points at the first essential paper when nothing is read', () => {
    expect(nextToRead(plan, new Map())?.id).toBe('b-ess');
  });

  it('skips papers already skimmed or read and moves to the next essential one', () => {
    expect(nextToRead(plan, rows({ 'b-ess': 'skimmed' }))?.id).toBe('d-ess');
    expect(nextToRead(plan, rows({ 'b-ess': 'read', 'd-ess': 'deep-read' }))?.id).toBe('c-rec');
  });

  it('treats a paper set back to unread as unread again', () => {
    const back = withState(withState(undefined, 'b-ess', 'read', T0), 'b-ess', 'unread', T0 + 1);
    expect(nextToRead(plan, progressMap([back]))?.id).toBe('b-ess');
  });

  it('has nothing to suggest once every paper is started', () => {
    const all = Object.fromEntries(
      papersByPriority(plan).map((p) => [p.id, 'skimmed' as ReadingState]),
    );
    expect(nextToRead(plan, rows(all))).toBeNull();
  });
});

describe('days active', () => {
  it('counts distinct days, where a day starts at the configured hour', () => {
    const midnight = new Date(2026, 10, 20, 0, 0).getTime();
    const times = [
      midnight - 3 * HOUR, // 21:00 on the 19th
      midnight + 2 * HOUR, // 02:00 on the 20th: still the 19th's day with a 4 am start
    ];
    expect(daysActive(times, 4)).toBe(1);
    expect(daysActive(times, 0)).toBe(2);
    expect(daysActive([...times, midnight + 10 * HOUR, midnight + 11 * HOUR], 4)).toBe(2);
    expect(daysActive([], 4)).toBe(0);
  });

  it('takes every date a paper state was set or first reached', () => {
    const read = withState(withState(undefined, 'x', 'skimmed', T0), 'x', 'read', T0 + 48 * HOUR);
    expect(progressTimes([read]).sort()).toEqual([T0, T0 + 48 * HOUR, T0 + 48 * HOUR]);
  });
});

describe('a stored or imported progress row', () => {
  it('is accepted when well formed', () => {
    const row = withState(undefined, 'b-ess', 'read', T0);
    expect(parsePaperProgress(JSON.parse(JSON.stringify(row)))).toEqual(row);
  });

  it.each([
    ['an unknown state', { paperId: 'b-ess', state: 'finished', updatedAt: T0, reached: {} }],
    [
      'a paper id with markup',
      { paperId: '<img src=x>', state: 'read', updatedAt: T0, reached: {} },
    ],
    ['a negative date', { paperId: 'b-ess', state: 'read', updatedAt: -1, reached: {} }],
    ['an extra field', { paperId: 'b-ess', state: 'read', updatedAt: T0, reached: {}, x: 1 }],
    ['a missing date', { paperId: 'b-ess', state: 'read', reached: {} }],
  ])('is rejected with %s', (_, input) => {
    expect(() => parsePaperProgress(input)).toThrow(ProgressRowError);
  });
});
