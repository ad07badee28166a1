/** Build-time data the card pages share: scope choices and display titles. */
import { getCollection } from 'astro:content';
import { CHAPTERS } from '../content/chapters';
import { withBase } from '../content/base';
import { buildReadingPlan } from '../progress/plan';
import type { ReadingPlan } from '../progress/types';
import { buildDeck } from '../srs/deck';
import type { Deck } from '../srs/types';

/** Where the card pages (review, card browser, statistics) fetch the published deck. */
export const DECK_URL = withBase('deck.json');

/**
 * A `<head>` entry (Starlight's `head` frontmatter) that starts fetching the deck with the page
 * instead of after its scripts: every card page needs the deck before it can show a card. With
 * `crossorigin`, the preload matches what `fetch(DECK_URL)` asks for, so the browser reuses it.
 */
export const deckPreload = {
  tag: 'link' as const,
  attrs: { rel: 'preload', href: DECK_URL, as: 'fetch', crossorigin: 'anonymous' },
};

export interface CardSourceOption {
  value: string;
  label: string;
}

export async function cardSources(): Promise<{
  chapters: CardSourceOption[];
  papers: CardSourceOption[];
  titles: Record<string, string>;
}> {
  const records = (await getCollection('papers')).map((entry) => entry.data);
  const withCards = new Set(
    records
      .filter((paper) => paper.deepEngage.length + paper.illusions.length > 0)
      .map((paper) => paper.id),
  );
  const titles: Record<string, string> = { glossary: 'Glossary' };
  for (const chapter of CHAPTERS) titles[chapter.slug] = chapter.title;
  for (const paper of records) titles[paper.id] = paper.title;
  const chapters = CHAPTERS.filter((chapter) => chapter.papers.some((id) => withCards.has(id))).map(
    (chapter) => ({ value: `chapter:${chapter.slug}`, label: chapter.title }),
  );
  chapters.push({ value: 'chapter:glossary', label: 'Glossary' });
  const papers = CHAPTERS.flatMap((chapter) => chapter.papers)
    .filter((id) => withCards.has(id))
    .map((id) => ({ value: `paper:${id}`, label: titles[id] ?? id }));
  return { chapters, papers, titles };
}

/** The deck and the reading plan as the site publishes them (deck.json, reading-plan.json). */
export async function publishedDeckAndPlan(): Promise<{ deck: Deck; plan: ReadingPlan }> {
  const papers = (await getCollection('papers')).map((entry) => entry.data);
  const glossary = (await getCollection('glossary')).map((entry) => entry.data);
  return {
    deck: buildDeck({ papers, glossary, chapters: CHAPTERS }),
    plan: buildReadingPlan({ chapters: CHAPTERS, papers }),
  };
}
