import { describe, expect, it } from 'vitest';
import { buildReadingPlan } from '../../../src/progress/plan';
import { essentials, nextInPlan, planPapers, totalMinutes } from '../../../src/progress/plans';
import { progressMap, withState } from '../../../src/progress/progress';
import { describeMinutes, readingMinutes } from '../../../src/progress/reading-time';

type Priority = 'essential' | 'recommended' | 'optional';
const paper = (id: string, priority: Priority, chapter: string, points = 1, skim = 0) => ({
  id,
  title: `Title of ${id}`,
  priority,
  chapter,
  kind: 'paper' as const,
  deepEngage: Array.from({ length: points }, () => ({})),
  skim: Array.from({ length: skim }, () => 'part'),
});

const plan = buildReadingPlan({
  chapters: [
    { slug: 'one', title: 'One', papers: ['a-opt', 'b-ess', 'c-rec'] },
    { slug: 'two', title: 'Two', papers: ['d-ess', 'e-rec'] },
  ],
  papers: [
    paper('a-opt', 'optional', 'one'),
    paper('b-ess', 'essential', 'one', 3, 2),
    paper('c-rec', 'recommended', 'one'),
    paper('d-ess', 'essential', 'two', 2),
    paper('e-rec', 'recommended', 'two'),
  ] as never,
});
const ids = (papers: { id: string }[]) => papers.map((p) => p.id);
const read = (...paperIds: string[]) =>
  progressMap(paperIds.map((id) => withState(undefined, id, 'read', 0)));

describe('reading plans', () => {
  it('"essentials first" reads the essential papers in order, then the rest by priority', () => {
    expect(ids(essentials(plan))).toEqual(['b-ess', 'd-ess']);
    expect(ids(planPapers(plan, 'essentials'))).toEqual([
      'b-ess',
      'd-ess',
      'c-rec',
      'e-rec',
      'a-opt',
    ]);
  });

  it('"the whole list" reads every paper in the source order', () => {
    expect(ids(planPapers(plan, 'whole'))).toEqual(['a-opt', 'b-ess', 'c-rec', 'd-ess', 'e-rec']);
  });

  it('"continue" is the first unread paper of the chosen plan', () => {
    expect(nextInPlan(plan, read(), 'essentials')?.id).toBe('b-ess');
    expect(nextInPlan(plan, read(), 'whole')?.id).toBe('a-opt');
    expect(nextInPlan(plan, read('b-ess'), 'essentials')?.id).toBe('d-ess');
    expect(nextInPlan(plan, read('a-opt', 'b-ess'), 'whole')?.id).toBe('c-rec');
    expect(nextInPlan(plan, read('a-opt', 'b-ess', 'c-rec', 'd-ess', 'e-rec'), 'whole')).toBeNull();
  });

  it('estimates reading time by the stated rule: gist, deep points, parts to skim', () => {
    expect(readingMinutes({ deepEngage: [1, 2, 3], skim: [1, 2] })).toBe(15 + 60 + 10);
    expect(plan.chapters[0]!.papers.find((p) => p.id === 'b-ess')!.minutes).toBe(85);
    expect(totalMinutes(essentials(plan))).toBe(85 + 55);
    expect(describeMinutes(140)).toBe('2 h 20 min');
    expect(describeMinutes(45)).toBe('45 min');
    expect(describeMinutes(120)).toBe('2 h');
  });
});
