/**
 * Chapter progress in Starlight's sidebar: each chapter link gets a small "2/5" badge. The badge
 * is hidden from the link's accessible name (which stays the chapter's title) and described to
 * screen readers as "2 of 5 papers read" instead.
 */
import { chapterProgress } from '../../progress/progress';
import type { PlanChapter } from '../../progress/types';
import { doneText } from './format';
import { readingPlan, watchProgress } from './progress-client';
import { withoutBase } from '../../content/base';

interface Decorated {
  chapter: PlanChapter;
  badge: HTMLElement;
  description: HTMLElement;
}

function normalise(path: string): string {
  return path.endsWith('/') ? path : `${path}/`;
}

export async function decorateSidebar(): Promise<void> {
  const links = document.querySelectorAll<HTMLAnchorElement>('nav.sidebar a[href]');
  if (links.length === 0) return;
  const plan = await readingPlan();
  const byPath = new Map(plan.chapters.map((chapter) => [chapter.path, chapter]));
  const decorated: Decorated[] = [];
  for (const link of links) {
    const path = withoutBase(new URL(link.href, location.href).pathname);
    const chapter = path === null ? undefined : byPath.get(normalise(path));
    if (!chapter || chapter.papers.length === 0) continue;
    const badge = document.createElement('span');
    badge.className = 'residual-sidebar-progress';
    badge.setAttribute('aria-hidden', 'true');
    badge.dataset['chapter'] = chapter.slug;
    const description = document.createElement('span');
    description.id = `residual-sidebar-progress-${chapter.slug}`;
    description.hidden = true;
    link.append(badge);
    link.after(description);
    link.setAttribute('aria-describedby', description.id);
    decorated.push({ chapter, badge, description });
  }
  await watchProgress(({ progress }) => {
    for (const { chapter, badge, description } of decorated) {
      const { done, total } = chapterProgress(chapter, progress);
      badge.textContent = `${done}/${total}`;
      badge.classList.toggle('residual-sidebar-progress--complete', done === total);
      description.textContent = doneText(done, total);
    }
  });
}
