/**
 * Every widget reads as a lesson: a lead of at most two sentences before its first control, the
 * experiment as numbered steps beside the controls on a desktop and above them on a phone, and the
 * timings and internals folded away in a closed "How this was computed" at the end, where the
 * timing line lands once a result shows. The induction heads' attention pattern names its tokens
 * on both axes.
 *
 * One browser for the file. The markup checks run with JavaScript off, so no model loads: the
 * lead and the steps are there before any model is. Only the timing and token-axis checks start a
 * model, for three widgets.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { servedSiteAndBrowser } from './support/served';
import { scrollToWidget, widgetSelector } from './support/tiny-lm-widgets';

const served = servedSiteAndBrowser();

/** Where the technique widgets live. */
const CHAPTERS = [
  '/foundational-work/',
  '/superposition/',
  '/activation-patching/',
  '/narrow-circuits/',
  '/sparse-autoencoders/',
  '/bonus/',
];
const WIDGET_COUNT = 13;

interface LessonShape {
  id: string;
  lead: string;
  leadBeforeFirstControl: boolean;
  steps: string[];
  stepsBeforeFirstControl: boolean;
  /** Where the steps, the controls block they refer to and the first control are on the page. */
  boxes: { steps: Box; controls: Box; firstControl: Box } | null;
  how: { summary: string; open: boolean; afterBody: boolean } | null;
  oldNotice: boolean;
}

interface Box {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** Reads the shape of every widget frame on the page. */
function lessonShapes(page: Page): Promise<LessonShape[]> {
  return page.$$eval('residual-widget', (widgets) =>
    widgets.map((widget) => {
      const before = (a: Element | null, b: Element | null) =>
        !!a && !!b && (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0;
      const body = widget.querySelector('[data-shell="body"]');
      const firstControl = body?.querySelector('input, select, button, textarea') ?? null;
      const lead = widget.querySelector('[data-shell="lead"]');
      const steps = widget.querySelector('ol[data-shell="steps"]');
      const how = widget.querySelector<HTMLDetailsElement>('details[data-shell="how"]');
      const controls = body?.querySelector('.residual-widget__controls');
      const box = (element: Element) => {
        const { top, bottom, left, right } = element.getBoundingClientRect();
        return { top, bottom, left, right };
      };
      return {
        id: widget.getAttribute('data-widget') ?? '?',
        lead: lead?.textContent?.replace(/\s+/g, ' ').trim() ?? '',
        leadBeforeFirstControl: before(lead, firstControl),
        steps: [...(steps?.querySelectorAll('li') ?? [])].map((li) => li.textContent ?? ''),
        stepsBeforeFirstControl: before(steps, firstControl),
        boxes:
          steps && controls && firstControl
            ? { steps: box(steps), controls: box(controls), firstControl: box(firstControl) }
            : null,
        how: how
          ? {
              summary: how.querySelector('summary')?.textContent?.trim() ?? '',
              open: how.open,
              afterBody: before(body, how),
            }
          : null,
        oldNotice: /what to notice/i.test(widget.textContent ?? ''),
      };
    }),
  );
}

/** Sentences in a lead: ends of sentences are ., ! or ? before a space or the end. */
const sentences = (text: string) => text.split(/(?<=[.!?])\s+/).filter((s) => s.trim() !== '');

/**
 * Whether the steps sit where they should against the controls block: beside it on a desktop (to
 * its left, not overlapping it, their tops aligned), above it and its first control on a phone.
 * Returns what is wrong, or '' when nothing is.
 */
function stepsMisplaced(
  boxes: NonNullable<LessonShape['boxes']>,
  placement: 'beside' | 'above',
): string {
  const { steps, controls, firstControl } = boxes;
  if (placement === 'above') {
    if (steps.bottom > controls.top + 0.5) return 'the steps end below the top of the controls';
    if (steps.bottom > firstControl.top + 0.5) return 'the steps end below the first control';
    return '';
  }
  if (steps.right > controls.left + 0.5) return 'the steps are not left of the controls';
  if (Math.abs(steps.top - controls.top) > 1) return 'the steps and the controls start apart';
  return '';
}

for (const [viewport, placement] of [
  [{ width: 1280, height: 800 }, 'beside'],
  [{ width: 390, height: 844 }, 'above'],
] as const) {
  describe(`every widget as a lesson, before any model loads (${viewport.width} px)`, () => {
    it(`opens with a lead of at most two sentences and numbered steps ${placement} its controls, and folds "How this was computed" at its end`, async () => {
      const context = await served.browser.newContext({ viewport, javaScriptEnabled: false });
      const shapes: LessonShape[] = [];
      for (const chapter of CHAPTERS) {
        const page = await context.newPage();
        await page.goto(new URL(chapter, served.site.url).href);
        shapes.push(...(await lessonShapes(page)));
        await page.close();
      }
      await context.close();

      expect(new Set(shapes.map((s) => s.id)).size).toBe(WIDGET_COUNT);
      for (const shape of shapes) {
        const count = sentences(shape.lead).length;
        expect(count, `${shape.id} lead: "${shape.lead}"`).toBeGreaterThanOrEqual(1);
        expect(count, `${shape.id} lead: "${shape.lead}"`).toBeLessThanOrEqual(2);
        expect(shape.leadBeforeFirstControl, shape.id).toBe(true);
        expect(shape.steps.length, shape.id).toBeGreaterThanOrEqual(3);
        expect(shape.stepsBeforeFirstControl, shape.id).toBe(true);
        expect(shape.boxes, `${shape.id}: no controls block`).not.toBeNull();
        if (shape.boxes)
          expect(
            stepsMisplaced(shape.boxes, placement),
            `${shape.id}: ${JSON.stringify(shape.boxes)}`,
          ).toBe('');
        expect(shape.how, shape.id).toEqual({
          summary: 'How this was computed',
          open: false,
          afterBody: true,
        });
        expect(shape.oldNotice, `${shape.id} still has "What to notice"`).toBe(false);
      }
    }, 120_000);
  });
}

describe('the timings, once a result shows', () => {
  for (const [chapter, id] of [
    ['/bonus/', 'logit-lens'],
    ['/bonus/', 'direct-logit-attribution'],
    ['/foundational-work/', 'induction-heads'],
  ] as const) {
    it(`${id}: stand in the closed "How this was computed", not in the lesson`, async () => {
      const page = await served.browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(new URL(chapter, served.site.url).href);
      await scrollToWidget(page, id);
      const widget = widgetSelector(id);
      const timing = page.locator(`${widget} [data-shell="timing"]`);
      await expect.poll(() => timing.textContent(), { timeout: 120_000 }).toMatch(/\d+ ms/);
      await expect(
        page.locator(`${widget} details[data-shell="how"]`).getAttribute('open'),
      ).resolves.toBeNull();
      await expect(timing.isVisible()).resolves.toBe(false);
      const lesson = await page
        .locator(`${widget} [data-shell="body"]`)
        .evaluate((body) => (body as HTMLElement).innerText);
      expect(lesson).not.toMatch(/\d+ ms\b/);
      await page.locator(`${widget} details[data-shell="how"] > summary`).click();
      await expect(timing.isVisible()).resolves.toBe(true);
      await expect(page.locator(`${widget} [data-shell="backend"]`).isVisible()).resolves.toBe(
        true,
      );

      if (id === 'induction-heads') {
        // The words of the sequence shown, <bos> first, against the pattern's axis labels.
        const shown = (await page.locator(`${widget} [data-induction="sequence"]`).textContent())!;
        const words = shown
          .replace(/^Sequence shown: /, '')
          .replace(' | ', ' ')
          .split(' ');
        for (const axis of ['x', 'y']) {
          const labels = await page.$$eval(
            `${widget} [data-chart="pattern"] text[data-axis="${axis}"]`,
            (texts) =>
              texts.map((text) => {
                const title = text.querySelector('title')?.textContent ?? '';
                return {
                  shown: (text.textContent ?? '').replace(title, ''),
                  title,
                  position: Number(text.getAttribute('data-position')),
                };
              }),
          );
          expect(labels).toHaveLength(1 + words.length);
          expect(labels[0]!.title).toBe(`${labels[0]!.title.split(' (')[0]} (position 0)`);
          words.forEach((word, i) => {
            const label = labels[i + 1]!;
            expect(label.position).toBe(i + 1);
            expect(label.title).toBe(`${word} (position ${i + 1})`);
            expect(label.shown).toBe(word.length > 7 ? `${word.slice(0, 6)}…` : word);
          });
        }
      }
      await page.close();
    }, 300_000);
  }
});
