/**
 * The parts of a review area that are hidden at first paint (the card with its buttons, the
 * finished state, and the experiment panel) are written once a page, in two <template>s that
 * ReviewArea.astro renders with the page's first area (and first area with experiments). Each
 * area clones them into its stage when it loads: the page carries them once instead of once per
 * area, and nothing on screen changes, since they are hidden until a card is shown.
 */

/** The attribute of the page's template of an area's card and finished state. */
export const PARTS_TEMPLATE = 'data-review-area-parts';
/** The attribute of the page's template of the experiment panel (pages with experiment cards). */
export const EXPERIMENT_TEMPLATE = 'data-review-area-experiment';

/** Shown in the area's status line when the page lacks its template (a fault of the build). */
export const MISSING_TEMPLATE_MESSAGE =
  'These cards cannot be shown here: this page is missing the review area’s template. They can still be answered in your reviews.';

function template(doc: Document, attribute: string): HTMLTemplateElement | null {
  return doc.querySelector<HTMLTemplateElement>(`template[${attribute}]`);
}

/**
 * Puts the page's hidden area parts into `area`'s stage (once: an area already filled is left
 * alone), the experiment panel before the card's front when the area is marked
 * `data-experiments` and the page has that template. Without the experiment panel an experiment
 * card is shown as an ordinary one (its worked example). Returns null when the area can start,
 * otherwise what is wrong, changing nothing.
 */
export function fillAreaStage(area: HTMLElement): string | null {
  const stage = area.querySelector('[data-stage]');
  if (!stage) return 'review area is missing [data-stage]';
  if (stage.querySelector('[data-card]')) return null;
  const parts = template(area.ownerDocument, PARTS_TEMPLATE);
  if (!parts) return MISSING_TEMPLATE_MESSAGE;
  const fragment = parts.content.cloneNode(true) as DocumentFragment;
  const experiment = area.hasAttribute('data-experiments')
    ? template(area.ownerDocument, EXPERIMENT_TEMPLATE)
    : null;
  const front = fragment.querySelector('[data-front]');
  if (experiment && front) front.before(experiment.content.cloneNode(true));
  stage.append(fragment);
  return null;
}
