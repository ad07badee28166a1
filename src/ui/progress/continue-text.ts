/**
 * The progress page's "continue reading" line in words: one source for the page script and for the
 * line written at build time (a first visit's, before the browser's progress is read), so the
 * script draws the same words and the page below does not move.
 */
import { withBase } from '../../content/base';
import { PLAN_LABELS, type PlanName } from '../../progress/plans';
import { describeMinutes } from '../../progress/reading-time';
import type { PlanPaper, ReadingPlan } from '../../progress/types';

export type ContinueLine =
  | { kind: 'done'; text: string }
  | { kind: 'next'; before: string; title: string; href: string; paperId: string; after: string };

/** "Next unread paper: <title> (core by our reading of the list; Foundational Work; about …)." */
export function continueLine(
  paper: PlanPaper | null,
  plan: ReadingPlan,
  planName: PlanName,
): ContinueLine {
  if (!paper) {
    return {
      kind: 'done',
      text: `${PLAN_LABELS[planName]}: you have started every paper. Mark papers read as you finish them.`,
    };
  }
  const chapter = plan.chapters.find((candidate) => candidate.slug === paper.chapter);
  return {
    kind: 'next',
    before: 'Next unread paper: ',
    title: paper.title,
    href: withBase(paper.href),
    paperId: paper.id,
    // The tier is our reading of the list, not a label the list gives.
    after: ` (${paper.priority} by our reading of the list${chapter ? `; ${chapter.title}` : ''}${paper.minutes === undefined ? '' : `; about ${describeMinutes(paper.minutes)}`}).`,
  };
}
