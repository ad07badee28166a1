import { chapterPath } from './chapters';

/** The element id of a deep-engage point or illusion inside its paper's section. */
export function pointAnchor(paperId: string, pointId: string): string {
  return `${paperId}--${pointId}`;
}

/** Link to a paper's section in its chapter. */
export function paperHref(chapter: string, paperId: string): string {
  return `${chapterPath(chapter)}#${paperId}`;
}

/** Link to a point (and so to the paragraph a card was made from). */
export function pointHref(chapter: string, paperId: string, pointId: string): string {
  return `${chapterPath(chapter)}#${pointAnchor(paperId, pointId)}`;
}

/** Link to a glossary term. */
export function glossaryHref(termId: string): string {
  return `/glossary/#${termId}`;
}

/** Link to a widget in its chapter (WidgetShell's heading id). */
export function widgetHref(chapter: string, widgetId: string): string {
  return `${chapterPath(chapter)}#widget-${widgetId}`;
}
