/**
 * The two reading plans a reader can follow. "Essentials first": the papers the list most insists
 * on (priority essential) in the source's order, then the recommended ones, then the optional
 * ones. "The whole list": every paper in the source's order. "Continue" is the first unread paper
 * of the chosen plan.
 */
import { papersByPriority, stateOf } from './progress';
import type { PaperProgress, PlanPaper, ReadingPlan } from './types';

export const PLAN_NAMES = ['essentials', 'whole'] as const;
export type PlanName = (typeof PLAN_NAMES)[number];

export const PLAN_LABELS: Record<PlanName, string> = {
  essentials: 'Essentials first',
  whole: 'The whole list',
};

export function isPlanName(value: unknown): value is PlanName {
  return typeof value === 'string' && (PLAN_NAMES as readonly string[]).includes(value);
}

/** The plan's papers in the order it reads them. */
export function planPapers(plan: ReadingPlan, name: PlanName): PlanPaper[] {
  if (name === 'essentials') return papersByPriority(plan);
  return plan.chapters.flatMap((chapter) => chapter.papers);
}

/** The essential papers, in the source's order: the first part of "essentials first". */
export function essentials(plan: ReadingPlan): PlanPaper[] {
  return plan.chapters
    .flatMap((chapter) => chapter.papers)
    .filter((paper) => paper.priority === 'essential');
}

/** The first unread paper of the plan, or null once every paper is started. */
export function nextInPlan(
  plan: ReadingPlan,
  progress: ReadonlyMap<string, PaperProgress>,
  name: PlanName,
): PlanPaper | null {
  return planPapers(plan, name).find((paper) => stateOf(progress, paper.id) === 'unread') ?? null;
}

/** Total estimated minutes of a list of papers (papers without an estimate count 0). */
export function totalMinutes(papers: readonly PlanPaper[]): number {
  return papers.reduce((sum, paper) => sum + (paper.minutes ?? 0), 0);
}
