/**
 * The deck ids a review area holds, computed from the records at build time as the deck builder
 * (./deck.ts) names them: `<paper>/<point>` and `<paper>/<point>/<card>` for a paper's points and
 * illusions, `<paper>/run/<id>` for its experiments, `glossary/<term>` and `glossary/<term>/<card>` for a glossary term.
 */
import type { GlossaryTerm, PaperRecord } from '../content/paper-schema';

type Points = Pick<PaperRecord, 'id' | 'deepEngage' | 'illusions'> &
  Partial<Pick<PaperRecord, 'experiments'>>;

/** A paper's card ids in deck order: points to engage with, illusions, then experiments. */
export function paperCardIds(paper: Points): string[] {
  return [
    ...[...paper.deepEngage, ...paper.illusions].flatMap((point) => [
      `${paper.id}/${point.id}`,
      ...point.moreCards.map((card) => `${paper.id}/${point.id}/${card.id}`),
    ]),
    ...(paper.experiments ?? []).map((experiment) => `${paper.id}/run/${experiment.id}`),
  ];
}

export function glossaryCardIds(term: Pick<GlossaryTerm, 'id' | 'moreCards'>): string[] {
  return [`glossary/${term.id}`, ...term.moreCards.map((card) => `glossary/${term.id}/${card.id}`)];
}

/** Glossary terms in alphabetical groups of about `size`, one review area each. */
export function glossaryGroups<T extends Pick<GlossaryTerm, 'term'>>(
  terms: readonly T[],
  size = 6,
): T[][] {
  const sorted = [...terms].sort((a, b) => a.term.localeCompare(b.term));
  const groups: T[][] = [];
  for (let i = 0; i < sorted.length; i += size) groups.push(sorted.slice(i, i + size));
  // A last group of one or two terms joins the one before it.
  if (groups.length > 1 && groups[groups.length - 1]!.length < size / 2) {
    const last = groups.pop()!;
    groups[groups.length - 1]!.push(...last);
  }
  return groups;
}
