// Experiment cards in review, in real Chromium: on /review/ and in a chapter's review area, the
// card poses its prediction on a fresh held-out prompt, runs tiny-lm in the page and pre-selects
// the grade from the verdict; on a first visit it offers the download with its size; offline it
// shows its worked example as an ordinary card. Every path ends in a saved answer.
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations, describeViolations } from './support/axe';
import { newProfile } from './support/browser';
import { reachesServer, waitForServiceWorker } from './support/offline';
import {
  introduceNewInListOrder,
  putRow,
  reviewReady,
  shownCardId,
  storedRows,
} from './support/review';
import { servedSiteAndBrowser } from './support/served';
import { newPageWithout } from './support/stripped-page';

const served = servedSiteAndBrowser();
const url = (path: string) => new URL(path, served.site.url).href;

const PAPER = 'logit-lens';
const CHAPTER = '/bonus/';
const EXPERIMENT = 'logit-lens/run/first-top-layer';
/** The model's graphs and weights (its JSON files are read network-first, then from the cache). */
const MODEL_FILE = /\/models\/tiny-lm\/.+\.(onnx|bin)$/;

interface CardRow {
  id: string;
  paperId: string | null;
  kind: string;
  position: number;
  suspended: boolean;
  queue: string;
  reps: number;
}
interface LogRow {
  cardId: string;
  grade: number;
}

/**
 * Sets the paper's other cards aside (suspended), keeping the first `keep` of them, so that the
 * experiment card comes up after those; returns the original rows of the paper's cards.
 */
async function onlyExperimentAfter(
  page: Page,
  keep: number,
  paper = PAPER,
  experiment = EXPERIMENT,
): Promise<CardRow[]> {
  const rows = (await storedRows<CardRow>(page, 'cards')).filter((row) => row.paperId === paper);
  const others = rows
    .filter((row) => row.id !== experiment)
    .sort((a, b) => a.position - b.position);
  for (const row of others.slice(keep))
    await putRow(page, 'cards', { ...row, suspended: true, queue: 'suspended' });
  return rows;
}

/** The row of a card put back to new, as if never answered (to show it again). */
function asNew(row: CardRow, rev: number) {
  return {
    ...row,
    state: 0,
    queue: 'new',
    suspended: false,
    reps: 0,
    lapses: 0,
    lastReview: null,
    stability: 0,
    difficulty: 0,
    scheduledDays: 0,
    elapsedDays: 0,
    learningSteps: 0,
    rev,
  };
}

/** /review/ of the paper, new cards in list order, with the paper's cards set up as above. */
async function reviewPaper(context: BrowserContext, keep = 0): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url(`/review/?paper=${PAPER}`));
  await reviewReady(page);
  await introduceNewInListOrder(page);
  await onlyExperimentAfter(page, keep);
  await page.reload();
  await reviewReady(page);
  return page;
}

/**
 * The paper's review area on its chapter page, ready, with the paper's other cards set aside but
 * the first `keep` (so the experiment card comes after those).
 */
async function areaWith(
  page: Page,
  keep: number,
  paper = PAPER,
  experiment = EXPERIMENT,
): Promise<Locator> {
  const area = page.locator(`residual-review-area:has(#${paper}--cards)`);
  const ready = async () => {
    await area.scrollIntoViewIfNeeded();
    await page.waitForFunction(
      (element) => element?.getAttribute('data-ready') === 'true',
      await area.elementHandle(),
    );
  };
  await ready();
  await onlyExperimentAfter(page, keep, paper, experiment);
  await page.reload();
  await ready();
  return area;
}

const panel = (root: Locator) => root.locator('[data-experiment]');

async function waitState(root: Locator, state: string, timeout = 120_000): Promise<void> {
  await root.locator(`[data-experiment][data-state="${state}"]`).waitFor({ timeout });
}

async function answersOf(page: Page, cardId: string): Promise<number[]> {
  return (await storedRows<LogRow>(page, 'log'))
    .filter((row) => row.cardId === cardId)
    .map((row) => row.grade);
}

async function expectNoAxeViolation(page: Page): Promise<void> {
  for (const scheme of ['dark', 'light'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const violations = await axeViolations(page);
    expect(violations, `${scheme}: ${describeViolations(violations)}`).toEqual([]);
  }
}

/** After a run: the verdict's grade is the one pre-selected (Good if it held, else Again). */
async function expectSuggestedFromVerdict(root: Locator): Promise<number> {
  const held = (await panel(root).getAttribute('data-held')) === 'true';
  const suggested = root.locator('[data-grade][data-suggested]');
  expect(await suggested.count()).toBe(1);
  const grade = Number(await suggested.getAttribute('data-grade'));
  expect(grade).toBe(held ? 3 : 1);
  const verdict = (await root.locator('[data-experiment-verdict]').textContent()) ?? '';
  expect(verdict).toMatch(held ? /^Your prediction held/ : /^Not this time/);
  expect(await root.locator('[data-experiment-outcome]').textContent()).not.toBe('');
  expect(await root.locator('[data-experiment-reason]').textContent()).not.toBe('');
  return grade;
}

describe('an experiment card on /review/', () => {
  let context: BrowserContext;

  it('first visit: offers the download with its size; by keyboard alone it downloads, poses a fresh prompt, runs, judges and saves the pre-selected grade', async () => {
    context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const page = await reviewPaper(context);
    const review = page.locator('residual-review');
    expect(await shownCardId(page)).toBe(EXPERIMENT);
    await waitState(review, 'offer');
    expect(await review.locator('[data-experiment-offer-text]').textContent()).toMatch(
      /^This card runs tiny-lm in the page \(\d+(\.\d)? MB, not downloaded yet\)\.$/,
    );
    // The card's own question waits as the worked example; nothing to reveal yet.
    expect(await review.locator('[data-front]').isVisible()).toBe(false);
    expect(await review.locator('[data-action="reveal"]').isVisible()).toBe(false);
    await expectNoAxeViolation(page);

    // Keyboard only: Tab to "Download and run", Enter; Space picks the focused choice, Enter runs.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Download and run');
    await page.keyboard.press('Enter');
    await waitState(review, 'posed');
    expect(await review.locator('[data-experiment-setup]').textContent()).toMatch(/\w+ \w+/);
    expect(await review.locator('[data-experiment-question]').textContent()).toMatch(/\?$/);
    // The grade keys do nothing before the model has answered.
    await page.keyboard.press('3');
    expect(await review.locator('[data-grades]').isVisible()).toBe(false);
    await page.keyboard.press('Enter');
    expect(await review.locator('[data-experiment-problem]').textContent()).toBe(
      'Choose one answer first.',
    );
    await page.keyboard.press('Space');
    expect(await review.locator('input[name="prediction"]:checked').count()).toBe(1);
    await page.keyboard.press('Enter');
    await waitState(review, 'judged');
    const grade = await expectSuggestedFromVerdict(review);
    expect(await page.evaluate(() => document.activeElement?.hasAttribute('data-suggested'))).toBe(
      true,
    );
    await expectNoAxeViolation(page);
    await page.keyboard.press('Space');
    await expect.poll(() => answersOf(page, EXPERIMENT)).toEqual([grade]);
    await page.close();
  });

  it('with the model saved: runs without asking or downloading, on another prompt; a changed grade is the one saved', async () => {
    const page = await reviewPaper(context);
    const review = page.locator('residual-review');
    // Answered once above: put it back to new so it is shown again.
    const rows = await storedRows<CardRow>(page, 'cards');
    const row = rows.find((candidate) => candidate.id === EXPERIMENT)!;
    expect(row.reps).toBe(1);
    const modelRequests: string[] = [];
    page.on('request', (request) => {
      if (MODEL_FILE.test(request.url())) modelRequests.push(request.url());
    });
    const setups = new Set<string>();
    for (let showing = 0; showing < 3; showing++) {
      await putRow(page, 'cards', asNew(row, 100 + showing));
      await page.reload();
      await reviewReady(page);
      expect(await shownCardId(page)).toBe(EXPERIMENT);
      await waitState(review, 'posed');
      expect(await review.locator('[data-experiment-offer]').isVisible()).toBe(false);
      setups.add((await review.locator('[data-experiment-setup]').textContent()) ?? '');
    }
    // A fresh seed each showing: the prompt changes.
    expect(setups.size).toBeGreaterThan(1);
    await review.locator('input[name="prediction"]').last().check();
    await review.getByRole('button', { name: /Run the model/ }).click();
    await waitState(review, 'judged');
    const suggested = await expectSuggestedFromVerdict(review);
    expect(modelRequests).toEqual([]);
    // The reader disagrees with the suggestion: key 2 (Hard) is what is saved.
    await page.keyboard.press('2');
    expect(suggested).not.toBe(2);
    await expect.poll(async () => (await answersOf(page, EXPERIMENT)).at(-1)).toBe(2);
    await page.close();
  });

  it("in the chapter's review area: after an ordinary card, runs the saved model without moving the page below, pre-selects the grade and Enter saves it", async () => {
    const page = await context.newPage();
    await page.goto(url(CHAPTER));
    const rows = (await storedRows<CardRow>(page, 'cards'))
      .filter((row) => row.paperId === PAPER)
      .sort((a, b) => a.position - b.position);
    const experiment = rows.find((row) => row.id === EXPERIMENT)!;
    const ordinary = rows.find((row) => row.id !== EXPERIMENT)!;
    for (const row of rows)
      await putRow(
        page,
        'cards',
        row === experiment || row === ordinary
          ? asNew(row, 200)
          : { ...row, suspended: true, queue: 'suspended' },
      );
    await page.reload();
    const area = page.locator(`residual-review-area:has(#${PAPER}--cards)`);
    await area.scrollIntoViewIfNeeded();
    await page.waitForFunction(
      (element) => element?.getAttribute('data-ready') === 'true',
      await area.elementHandle(),
    );
    expect(await area.getAttribute('data-card-id')).toBe(ordinary.id);
    // What follows the area on the page, and the layout shifts from here on (not right after input).
    const below = () =>
      area.evaluate((element) => {
        let node: Element | null = element;
        while (node && !node.nextElementSibling) node = node.parentElement;
        const next = node?.nextElementSibling;
        return next ? next.getBoundingClientRect().top + window.scrollY : null;
      });
    await page.evaluate(() => {
      const shifts: number[] = [];
      (window as unknown as { shifts: number[] }).shifts = shifts;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries() as (PerformanceEntry & {
          value: number;
          hadRecentInput: boolean;
        })[])
          if (!entry.hadRecentInput) shifts.push(entry.value);
      }).observe({ type: 'layout-shift' });
    });
    const belowBefore = await below();
    expect(belowBefore).not.toBeNull();
    // Not moved: within a pixel (text laid out again in the area can round a fraction differently).
    const movedBelow = async () => Math.abs((await below())! - belowBefore!);
    await area.locator('[data-action="reveal"]').focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('3');
    await waitState(area, 'posed');
    expect(await area.getAttribute('data-card-id')).toBe(EXPERIMENT);
    expect(await movedBelow()).toBeLessThan(1);
    await area.locator('input[name="prediction"]').first().check();
    await area.getByRole('button', { name: /Run the model/ }).click();
    await waitState(area, 'judged');
    // The panel's form and result fit the area's reserved height (or scroll inside it), and the
    // stage shows its foot: the verdict and the pre-selected grade.
    expect(await movedBelow()).toBeLessThan(1);
    const inStage = (selector: string) =>
      area.evaluate((element, inner) => {
        const stage = element.querySelector('[data-stage]')!.getBoundingClientRect();
        const box = element.querySelector(inner)!.getBoundingClientRect();
        return box.top >= stage.top - 1 && box.bottom <= stage.bottom + 1;
      }, selector);
    expect(await inStage('[data-grade][data-suggested]')).toBe(true);
    expect(await inStage('[data-experiment-verdict]')).toBe(true);
    const shift = await page.evaluate(() =>
      (window as unknown as { shifts: number[] }).shifts.reduce((sum, value) => sum + value, 0),
    );
    expect(shift).toBeLessThanOrEqual(0.05);
    const grade = await expectSuggestedFromVerdict(area);
    await area.locator('[data-grade][data-suggested]').focus();
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await answersOf(page, EXPERIMENT)).at(-1)).toBe(grade);
    await page.close();
    await context.close();
  });
});

describe('an experiment card without its model', () => {
  it('offline on /review/: says so, shows the worked example as an ordinary card, and saves the grade', async () => {
    // The service worker keeps the site's code (the runner's too) for offline use, as for a reader.
    const context = await newProfile(served.browser);
    const warm = await context.newPage();
    await warm.goto(url('/review/'));
    await waitForServiceWorker(warm);
    await warm.close();
    const page = await reviewPaper(context, 1);
    const review = page.locator('residual-review');
    const first = await shownCardId(page);
    expect(first).not.toBe(EXPERIMENT);
    // The connection drops while reviewing: the next card is the experiment.
    await context.setOffline(true);
    await page.keyboard.press('Space');
    await page.keyboard.press('3');
    await page.waitForFunction(
      (id) => document.querySelector('residual-review')?.getAttribute('data-card-id') !== id,
      first,
    );
    expect(await shownCardId(page)).toBe(EXPERIMENT);
    await waitState(review, 'example');
    expect(await review.locator('[data-experiment-status]').textContent()).toMatch(
      /^You are offline and tiny-lm .*worked example/,
    );
    const front = (await review.locator('[data-front]').textContent()) ?? '';
    expect(front).toMatch(/logit lens/);
    await page.keyboard.press('Space');
    expect(await review.locator('[data-back]').isVisible()).toBe(true);
    expect(await review.locator('[data-grade][data-suggested]').count()).toBe(0);
    await expectNoAxeViolation(page);
    await page.keyboard.press('2');
    await expect.poll(() => answersOf(page, EXPERIMENT)).toEqual([2]);
    await context.close();
  });

  it('a download that fails on /review/: says why and the worked example is graded', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const page = await reviewPaper(context);
    const review = page.locator('residual-review');
    await page.route('**/models/tiny-lm/weights.bin', (route) => route.abort());
    await waitState(review, 'offer');
    await review.getByRole('button', { name: 'Download and run' }).click();
    await waitState(review, 'example');
    expect(await review.locator('[data-experiment-status]').textContent()).toMatch(
      /^The model could not run here \(could not download weights\.bin.*worked example/,
    );
    await page.keyboard.press('Space');
    await page.keyboard.press('3');
    await expect.poll(() => answersOf(page, EXPERIMENT)).toEqual([3]);
    await context.close();
  });

  it('offline in the review area: says so, and the worked example is answered there', async () => {
    const context = await newProfile(served.browser);
    const page = await context.newPage();
    await page.goto(url(CHAPTER));
    await waitForServiceWorker(page);
    const area = await areaWith(page, 1);
    const first = (await area.getAttribute('data-card-id')) ?? '';
    expect(first).not.toBe(EXPERIMENT);
    await context.setOffline(true);
    await area.locator('[data-action="reveal"]').focus();
    await page.keyboard.press('Space');
    await page.keyboard.press('3');
    await waitState(area, 'example');
    expect(await area.getAttribute('data-card-id')).toBe(EXPERIMENT);
    expect(await area.locator('[data-experiment-status]').textContent()).toMatch(
      /^You are offline and tiny-lm .*worked example/,
    );
    await page.keyboard.press('Space');
    expect(await area.locator('[data-back]').isVisible()).toBe(true);
    await page.keyboard.press('1');
    await expect.poll(() => answersOf(page, EXPERIMENT)).toEqual([1]);
    await context.close();
  });

  it('online, "Show the worked example" in the review area answers it as an ordinary card', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const page = await context.newPage();
    await page.goto(url(CHAPTER));
    const area = await areaWith(page, 0);
    await waitState(area, 'offer');
    expect(await area.locator('[data-experiment-offer-text]').textContent()).toMatch(
      /not downloaded yet/,
    );
    await area.getByRole('button', { name: 'Show the worked example' }).click();
    await waitState(area, 'example');
    expect(await area.locator('[data-front]').isVisible()).toBe(true);
    await area.getByRole('button', { name: /Show answer/ }).click();
    await area.getByRole('button', { name: /^Easy/ }).click();
    await area.locator('[data-done]:not([hidden])').waitFor();
    expect(await answersOf(page, EXPERIMENT)).toEqual([4]);
    await context.close();
  });
});

describe('an experiment card in an area drawn without the experiment panel', () => {
  it('is answered there as its worked example, without an error', async () => {
    // The chapter as a build without the page's experiment template would serve it.
    const { context, page, errors } = await newPageWithout(
      served.browser,
      CHAPTER,
      /<template data-review-area-experiment[^>]*>[\s\S]*?<\/template>/,
      'data-experiment-form',
    );
    await page.goto(url(CHAPTER));
    const area = await areaWith(page, 0);
    expect(await area.getAttribute('data-card-id')).toBe(EXPERIMENT);
    expect(await panel(area).count()).toBe(0);
    expect(await area.locator('[data-front]').isVisible()).toBe(true);
    expect(await area.locator('[data-front]').textContent()).not.toBe('');
    await area.getByRole('button', { name: /Show answer/ }).click();
    expect(await area.locator('[data-back]').isVisible()).toBe(true);
    await area.getByRole('button', { name: /^Good/ }).click();
    await area.locator('[data-done]:not([hidden])').waitFor();
    expect(await answersOf(page, EXPERIMENT)).toEqual([3]);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('an experiment card in the card browser', () => {
  it('is marked "Experiment" and lists its worked example', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const page = await context.newPage();
    await page.goto(url('/cards/'));
    await page.locator('residual-card-browser[data-ready="true"]').waitFor();
    const deck = (await (await fetch(url('/deck.json'))).json()) as {
      cards: { id: string; front: string }[];
    };
    const worked = deck.cards.find((card) => card.id === EXPERIMENT)!;
    await page.locator('#filter-text').fill('which layer on does the logit lens');
    const row = page.locator('[data-rows] tr', { hasText: 'Experiment: worked example' });
    await row.waitFor();
    expect(await row.count()).toBe(1);
    expect(await row.locator('td').first().textContent()).toContain(worked.front);
    const violations = await axeViolations(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    await context.close();
  });
});

describe('an experiment card and a widget on one page', () => {
  it("share the page's model: the induction-heads widget starts on the attn-only-2l the card loaded, fetching none of it again", async () => {
    const paper = 'mathematical-framework';
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const page = await context.newPage();
    await page.goto(url('/foundational-work/'));
    const area = await areaWith(page, 0, paper, `${paper}/run/induction-target`);
    await waitState(area, 'offer');
    await area.getByRole('button', { name: 'Download and run' }).click();
    await waitState(area, 'posed');
    const widget = page.locator('residual-widget[data-widget="induction-heads"]');
    // The widget has not started yet, so what it loads next shows whether it shares the model.
    expect(await widget.getAttribute('data-state')).toBe('idle');
    const modelRequests: string[] = [];
    page.on('request', (request) => {
      if (/\/models\/attn-only-2l\/(manifest\.json|.+\.(onnx|bin))$/.test(request.url()))
        modelRequests.push(request.url());
    });
    await widget.scrollIntoViewIfNeeded();
    await page.waitForSelector(
      'residual-widget[data-widget="induction-heads"][data-state="ready"]',
      {
        timeout: 60_000,
      },
    );
    expect(modelRequests).toEqual([]);
    // The widget still says where its model runs.
    expect(await widget.textContent()).toMatch(/WASM|WebGPU/i);
    await context.close();
  });
});

describe('an experiment card offline with its model saved', () => {
  it('runs in /review/ from the service worker and Cache Storage, and saves the pre-selected grade', async () => {
    const context = await newProfile(served.browser);
    const warm = await context.newPage();
    await warm.goto(url('/review/'));
    await waitForServiceWorker(warm);
    await warm.close();
    // Saved once, online, through the card's own download offer.
    let page = await reviewPaper(context);
    let review = page.locator('residual-review');
    expect(await shownCardId(page)).toBe(EXPERIMENT);
    await waitState(review, 'offer');
    await review.getByRole('button', { name: 'Download and run' }).click();
    await waitState(review, 'posed');
    const row = (await storedRows<CardRow>(page, 'cards')).find((card) => card.id === EXPERIMENT)!;
    await page.close();

    await context.setOffline(true);
    page = await context.newPage();
    const failed: string[] = [];
    page.on('requestfailed', (request) => failed.push(request.url()));
    await page.goto(url(`/review/?paper=${PAPER}`));
    // Offline, the link's ?paper= is the precached /review/ page, not the 404 page.
    await reviewReady(page);
    await putRow(page, 'cards', asNew(row, 300));
    await page.reload();
    await reviewReady(page);
    review = page.locator('residual-review');
    expect(await shownCardId(page)).toBe(EXPERIMENT);
    await waitState(review, 'posed');
    expect(await reachesServer(page, url('/'))).toBe(false);
    await review.locator('input[name="prediction"]').first().check();
    await review.getByRole('button', { name: /Run the model/ }).click();
    await waitState(review, 'judged');
    const grade = await expectSuggestedFromVerdict(review);
    expect(await review.locator('[data-experiment-status]').textContent()).toMatch(
      /^tiny-lm ran in this page on (WASM|WEBGPU) in \d+\.\d s\.$/,
    );
    // Nothing the model needs came from the network (offline, it could not have).
    expect(failed.filter((failedUrl) => MODEL_FILE.test(failedUrl))).toEqual([]);
    await page.keyboard.press('Space');
    await expect.poll(async () => (await answersOf(page, EXPERIMENT)).at(-1)).toBe(grade);
    await context.close();
  });
});
