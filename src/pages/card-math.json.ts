/**
 * KaTeX's HTML for the deck's cards that have math (/card-math.json), made at build time so that
 * the review page and the card browser draw math without KaTeX's JavaScript. See src/srs/card-math.ts.
 */
import type { APIRoute } from 'astro';
import { getCollection } from 'astro:content';
import { CHAPTERS } from '../content/chapters';
import { buildCardMath } from '../site/card-math-build';
import { buildDeck } from '../srs/deck';

export const GET: APIRoute = async () => {
  const papers = (await getCollection('papers')).map((entry) => entry.data);
  const glossary = (await getCollection('glossary')).map((entry) => entry.data);
  const deck = buildDeck({ papers, glossary, chapters: CHAPTERS });
  return new Response(JSON.stringify(buildCardMath(deck)), {
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
  });
};
