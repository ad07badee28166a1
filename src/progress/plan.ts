/**
 * The reading plan: chapters in the source's order with the papers whose progress is tracked.
 * Built at build time from the order and the paper records (src/pages/reading-plan.json.ts
 * publishes it), so the browser can count and order papers without the records.
 */
import { paperHref } from '../content/anchors';
import { chapterPath } from '../content/chapters';
import type { PaperRecord } from '../content/paper-schema';
import { readingMinutes } from './reading-time';
import type { PlanChapter, ReadingPlan } from './types';

export interface PlanSources {
  chapters: readonly { slug: string; title: string; papers: readonly string[] }[];
  papers: readonly (Pick<PaperRecord, 'id' | 'title' | 'priority' | 'chapter' | 'kind'> &
    Partial<Pick<PaperRecord, 'deepEngage' | 'skim'>>)[];
}

/**
 * Companions (walkthrough videos, tutorials) are read with their paper and have no progress of
 * their own; papers the order names but no record has are left out.
 */
export function buildReadingPlan(sources: PlanSources): ReadingPlan {
  const byId = new Map(sources.papers.map((paper) => [paper.id, paper]));
  const chapters: PlanChapter[] = sources.chapters.map((chapter) => ({
    slug: chapter.slug,
    title: chapter.title,
    path: chapterPath(chapter.slug),
    papers: chapter.papers.flatMap((id) => {
      const paper = byId.get(id);
      if (!paper || paper.kind !== 'paper') return [];
      return [
        {
          id: paper.id,
          title: paper.title,
          priority: paper.priority,
          chapter: chapter.slug,
          href: paperHref(chapter.slug, paper.id),
          ...(paper.deepEngage && paper.skim
            ? { minutes: readingMinutes({ deepEngage: paper.deepEngage, skim: paper.skim }) }
            : {}),
        },
      ];
    }),
  }));
  return { format: 'residual-reading-plan', chapters };
}
