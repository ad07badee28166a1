import { defineRouteMiddleware } from '@astrojs/starlight/route-data';
import { chapterPapers } from '../../content/papers';

/**
 * Paper sections are rendered from records, not Markdown headings, so Starlight cannot see them.
 * Add one table-of-contents entry per paper so "On this page" lists the chapter's papers.
 */
export const onRequest = defineRouteMiddleware(async (context) => {
  const route = context.locals.starlightRoute;
  const slug = route.entry.data.chapter;
  if (!slug || !route.toc) return;
  const papers = await chapterPapers(slug);
  for (const { paper } of papers) {
    route.toc.items.push({ depth: 2, slug: paper.id, text: paper.title, children: [] });
  }
});
