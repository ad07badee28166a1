/**
 * <residual-stats>: reads the card database and shows the statistics, figures and descriptions
 * first, then each chart drawn with Observable Plot when it comes near the screen. Plot is loaded
 * only here (dynamic import, with the first chart drawn), never on other pages.
 */
import { loadAnswerTimeToday } from '../../storage/answer-time';
import {
  CATEGORY_LABELS,
  MASTERY_STAGES,
  masteryByChapter,
  totalCounts,
  type CardCategory,
  type CategoryCounts,
  type ForecastDay,
  type HeatmapDay,
} from '../../srs/stats';
import type { Settings } from '../../srs/settings';
import type { ResidualDb } from '../../storage/db';
import { describeStorageError } from '../../storage/errors';
import {
  listDamagedRows,
  removeDamagedRow,
  repairDamagedRow,
  sweepDamagedRows,
  type DamagedRow,
} from '../../storage/quarantine';
import { loadStatsData, type StatsData } from '../../storage/stats';
import { startStorage } from '../../storage/bootstrap';
import type { DueFigures } from '../../srs/due';
import { cardsSummary, dueSummary, retentionSummary, todaySummary } from './summary-text';
import { loadDueFigures } from '../../storage/due';
import { withBase } from '../../content/base';
import { yieldToMain } from '../../storage/slices';
import { DrawWhenNear } from './draw-when-near';
import { countScale } from './count-scale';

/** How a damaged row is named in the list. */
function damagedName(row: DamagedRow): string {
  if (row.table === 'cards') return `Card "${row.key}"`;
  if (row.table === 'progress') return `Reading progress of "${row.key}"`;
  return `Answer number ${row.key} in the review history`;
}

type PlotModule = typeof import('@observablehq/plot');

let plotModule: Promise<PlotModule> | null = null;
/** Observable Plot, fetched when the first chart is drawn. */
function loadPlot(): Promise<PlotModule> {
  plotModule ??= import('@observablehq/plot');
  return plotModule;
}

/**
 * The heights of Plot's colour legends above a chart, with the space under them, in pixels (the
 * ramp with its title and ticks; the swatches in one row). A chart's own height scales with its
 * width on a narrow screen (Plot's SVG is 640 pixels wide at most); the place kept for it does the
 * same (StatsDashboard's style), so nothing moves when it appears.
 */
const RAMP_LEGEND_HEIGHT = 66;
/**
 * The ramp legend's side margins, so that the labels of its end ticks (0 and the most) are not
 * cut off. Plot hands a scale's options to its legend, but its types list no legend options
 * there, hence a plain object spread into the scale's options.
 */
const RAMP_LEGEND_MARGINS: object = { marginLeft: 8, marginRight: 12 };
const SWATCH_LEGEND_HEIGHT = 49;
const FORECAST_HEIGHT = 220;
const HEATMAP_HEIGHT = 170;
const STATES_HEIGHT = 240;

function required<T extends HTMLElement = HTMLElement>(root: ParentNode, selector: string): T {
  const element = root.querySelector<T>(selector);
  if (!element) throw new Error(`stats page is missing ${selector}`);
  return element;
}

export class StatsDashboardElement extends HTMLElement {
  private db: ResidualDb | null = null;
  private settings!: Settings;
  private titles: Record<string, string> = {};
  private chapterOrder: string[] = [];
  private damaged: DamagedRow[] = [];
  private readonly charts = new DrawWhenNear((error) => {
    required(this, '[data-status]').textContent = describeStorageError(error);
  });

  connectedCallback(): void {
    const data = this.querySelector('[data-titles]')?.textContent;
    const parsed = data
      ? (JSON.parse(data) as { titles: Record<string, string>; order: string[] })
      : { titles: {}, order: [] };
    this.titles = parsed.titles;
    this.chapterOrder = parsed.order;
    document.addEventListener('residual-data-changed', () => void this.refresh());
    required(this, '[data-damaged-list]').addEventListener('click', (event) => {
      const button = (event.target as Element).closest<HTMLButtonElement>('button[data-fix]');
      if (button) void this.fix(button);
    });
    void this.start();
  }

  private async start(): Promise<void> {
    // In a task of its own: the page's modules were just evaluated in one long task, and opening
    // the database is the next long piece of work.
    await yieldToMain();
    const started = await startStorage({
      deckUrl: this.dataset['deckUrl'] ?? withBase('deck.json'),
      onUpgradeElsewhere: () => {
        required(this, '[data-status]').textContent =
          'Another tab upgraded the database to a newer version. Reload this page.';
      },
      onBlocked: (message) => {
        required(this, '[data-status]').textContent = message;
      },
    });
    required(this, '[data-loading]').hidden = true;
    if (!started.ok) {
      required(this, '[data-dashboard]').hidden = true;
      required(this, '[data-unavailable-message]').textContent = started.message;
      required(this, '[data-unavailable]').hidden = false;
      this.removeAttribute('aria-busy');
      return;
    }
    this.db = started.db;
    this.settings = started.settings;
    if (started.deckProblem) required(this, '[data-status]').textContent = started.deckProblem;
    // Filled while hidden, then shown whole: an empty dashboard that fills in would shift.
    await this.render();
    required(this, '[data-dashboard]').hidden = false;
    // A first visit's summary was shown as the page was parsed; its charts come with the rest.
    delete this.dataset['firstVisit'];
    this.removeAttribute('aria-busy');
    await this.sweep();
    this.dataset['ready'] = 'true';
  }

  /** The figures, then the check of every row (after a change: a repair, another tab's answers). */
  private async refresh(): Promise<void> {
    await this.render();
    await this.sweep();
  }

  /**
   * Check every card and progress row (a read of whole rows), once the figures are shown: a row
   * found damaged joins the list shown with them.
   */
  private async sweep(): Promise<void> {
    if (!this.db) return;
    try {
      this.showDamaged(await sweepDamagedRows(this.db, Date.now()));
    } catch (error) {
      required(this, '[data-status]').textContent = describeStorageError(error);
    }
  }

  private async render(): Promise<void> {
    if (!this.db) return;
    try {
      const db = this.db;
      const now = Date.now();
      const hour = this.settings.dayStartHour;
      const data = await loadStatsData(db, now, hour);
      const leeches = await db.cards
        .where('[queue+due]')
        .between(['suspended', -Infinity], ['suspended', Infinity], true, true)
        .filter((card) => card.leech)
        .count();
      this.renderSummary(data, leeches, await loadDueFigures(db, now, this.settings));
      const today = await loadAnswerTimeToday(db, now, this.settings);
      required(this, '[data-summary-time]').textContent = todaySummary(today);
      // The figures first; each chart is drawn when it comes near the screen.
      this.showForecast(data.forecast);
      this.showHeatmap(data.heatmap, now);
      this.showStates(totalCounts(data.byChapter));
      this.showMastery(data.byChapter);
      // The rows already listed as damaged; `sweep` checks every row afterwards.
      this.showDamaged(await listDamagedRows(db));
    } catch (error) {
      required(this, '[data-status]').textContent = describeStorageError(error);
    }
  }

  /** The damaged rows, each with Repair (where something can be kept) and Remove. */
  private showDamaged(rows: DamagedRow[]): void {
    const section = required(this, '[data-damaged]');
    section.hidden = rows.length === 0;
    const items = rows.map((row, index) => {
      const item = document.createElement('li');
      const text = document.createElement('span');
      text.textContent = `${damagedName(row)}: ${row.problem} (found ${new Date(row.foundAt).toLocaleString()}).`;
      item.append(text);
      const actions: ['repair' | 'remove', string][] =
        row.table === 'log'
          ? [['remove', 'Remove']]
          : [
              ['repair', 'Repair'],
              ['remove', 'Remove'],
            ];
      for (const [fix, label] of actions) {
        const button = document.createElement('button');
        button.type = 'button';
        button.textContent = label;
        button.dataset['fix'] = fix;
        button.dataset['index'] = String(index);
        button.setAttribute('aria-label', `${label}: ${damagedName(row)}`);
        item.append(button);
      }
      return item;
    });
    this.damaged = rows;
    required(this, '[data-damaged-list]').replaceChildren(...items);
  }

  private async fix(button: HTMLButtonElement): Promise<void> {
    const row = this.damaged[Number(button.dataset['index'])];
    if (!this.db || !row) return;
    const status = required(this, '[data-status]');
    try {
      if (button.dataset['fix'] === 'repair') {
        const repaired = await repairDamagedRow(this.db, row, Date.now());
        status.textContent = repaired
          ? `${damagedName(row)} was repaired.`
          : `${damagedName(row)} cannot be repaired (too little of it is valid); remove it instead.`;
      } else {
        await removeDamagedRow(this.db, row);
        status.textContent = `${damagedName(row)} was removed.`;
      }
    } catch (error) {
      status.textContent = describeStorageError(error);
    }
    await this.refresh();
    // The pressed button is gone with its row: keep keyboard focus in the list, or on the message.
    const next = this.querySelector<HTMLButtonElement>('[data-damaged-list] button');
    if (next && !required(this, '[data-damaged]').hidden) next.focus();
    else status.focus();
  }

  private renderSummary(data: StatsData, leeches: number, dueFigures: DueFigures): void {
    required(this, '[data-summary-cards]').textContent = cardsSummary(
      totalCounts(data.byChapter),
      leeches,
    );
    const { month, year } = data.retention;
    required(this, '[data-summary-retention]').textContent = retentionSummary(
      month,
      year,
      this.settings.desiredRetention,
    );
    // "Due" is what /review/ would show now (src/srs/due.ts), the figure every page shows; the
    // forecast's first bar is another figure (scheduled before tomorrow, limits aside).
    const due = required(this, '[data-summary-due]');
    due.textContent = dueSummary(dueFigures, data.totalAnswers);
    due.dataset['count'] = String(dueFigures.total);
  }

  /**
   * Describe chart `name` in words now, keep its place (a chart `height` pixels high at Plot's
   * full width, under a `legend` that many pixels high), and draw it with `chart` once it is
   * near the screen. A chart with nothing to draw (`empty`: no answers yet, say) is not drawn:
   * its place says so, and the chart library is not loaded for it.
   */
  private place(
    name: string,
    { height, legend = 0, empty = false }: { height: number; legend?: number; empty?: boolean },
    description: string,
    chart: (Plot: PlotModule) => Element,
  ): void {
    required(this, `[data-chart-text="${name}"]`).textContent = description;
    const slot = required(this, `[data-chart="${name}"]`);
    slot.style.setProperty('--chart-height', String(height));
    slot.style.setProperty('--legend-height', `${legend}px`);
    this.charts.schedule(slot, async () => {
      if (empty) {
        // The words below the place say what is (not) there; this only marks the place.
        const note = document.createElement('p');
        note.className = 'residual-stats__nothing';
        note.setAttribute('aria-hidden', 'true');
        note.textContent = 'Nothing to draw yet';
        slot.replaceChildren(note);
        slot.dataset['drawn'] = 'empty';
        return;
      }
      const Plot = await loadPlot();
      // The library is evaluated in one task and the chart drawn in the next, not both in one.
      await yieldToMain();
      const drawn = chart(Plot);
      // Plot labels its mark groups with aria-label, which is not allowed on a <g> without a
      // role; the chart is one image, named on its <svg>, and described in words below it.
      for (const group of drawn.querySelectorAll('g[aria-label]'))
        group.removeAttribute('aria-label');
      for (const svg of drawn.matches('svg') ? [drawn] : drawn.querySelectorAll('svg')) {
        if (svg.hasAttribute('aria-label')) svg.setAttribute('role', 'img');
      }
      slot.replaceChildren(drawn);
      slot.dataset['drawn'] = 'true';
    });
  }

  private showForecast(forecast: ForecastDay[]): void {
    const total = forecast.reduce((sum, day) => sum + day.due, 0);
    const busiest = forecast.reduce((top, day) => (day.due > top.due ? day : top), forecast[0]!);
    // (A date is written only when there is a busiest day: the first date a page formats loads
    // the locale's calendar data, a long task on a slow phone.)
    this.place(
      'forecast',
      { height: FORECAST_HEIGHT, empty: total === 0 },
      total === 0
        ? 'No card falls due in the next 30 days (new cards and daily limits aside).'
        : `${total} cards fall due in the next 30 days; ${forecast[0]?.due ?? 0} are scheduled before tomorrow (overdue included, new cards and daily limits aside); the busiest day is ${busiest.date.toLocaleDateString()} with ${busiest.due}.`,
      (Plot) =>
        Plot.plot({
          ariaLabel: 'Bar chart: cards due on each of the next 30 days',
          height: FORECAST_HEIGHT,
          marginLeft: 40,
          x: {
            label: 'Days from today',
            tickFormat: (d: number) => (d % 5 === 0 ? String(d) : ''),
          },
          y: {
            label: 'Cards due',
            grid: true,
            ...countScale(
              forecast.map((day) => day.due),
              6,
            ),
          },
          marks: [
            Plot.barY(forecast, { x: 'offset', y: 'due', fill: 'currentColor' }),
            Plot.ruleY([0]),
          ],
        }),
    );
  }

  private showHeatmap(days: HeatmapDay[], now: number): void {
    const first = days[0]?.date ?? new Date(now);
    const weekStart = (first.getDay() + 6) % 7; // Monday = 0
    const cells = days.map((day, i) => ({
      ...day,
      week: Math.floor((i + weekStart) / 7),
      weekday: (day.date.getDay() + 6) % 7,
    }));
    const active = cells.filter((cell) => cell.reviews > 0).length;
    this.place(
      'heatmap',
      { height: HEATMAP_HEIGHT, legend: RAMP_LEGEND_HEIGHT, empty: active === 0 },
      `You reviewed on ${active} of the last ${cells.length} days.`,
      (Plot) =>
        Plot.plot({
          ariaLabel: 'Calendar heatmap: reviews per day over the last 26 weeks',
          height: HEATMAP_HEIGHT,
          marginLeft: 40,
          padding: 0.1,
          x: { axis: null },
          y: {
            label: null,
            tickFormat: (d: number) => ['Mon', '', 'Wed', '', 'Fri', '', 'Sun'][d] ?? '',
          },
          color: {
            scheme: 'greens',
            type: 'sqrt',
            legend: true,
            label: 'Reviews per day',
            ...RAMP_LEGEND_MARGINS,
            ...countScale(
              cells.map((cell) => cell.reviews),
              4,
            ),
            tickFormat: (d: number) => String(Math.round(d)),
          },
          marks: [
            Plot.cell(cells, {
              x: 'week',
              y: 'weekday',
              fill: 'reviews',
              stroke: 'currentColor',
              strokeOpacity: 0.15,
              // Dates are formatted when the chart is drawn, not while the page loads.
              title: (cell: (typeof cells)[number]) =>
                `${cell.date.toLocaleDateString()}: ${cell.reviews} reviews`,
              inset: 0.5,
            }),
          ],
        }),
    );
  }

  private showStates(counts: CategoryCounts): void {
    const rows = (Object.keys(counts) as CardCategory[]).map((category) => ({
      category: CATEGORY_LABELS[category],
      cards: counts[category],
    }));
    this.place(
      'states',
      { height: STATES_HEIGHT, empty: rows.every((row) => row.cards === 0) },
      rows.map((row) => `${row.category}: ${row.cards}`).join('; ') + '.',
      (Plot) =>
        Plot.plot({
          ariaLabel: 'Bar chart: cards in each state',
          height: STATES_HEIGHT,
          marginLeft: 210,
          // Room for the count written after the longest bar (up to five digits).
          marginRight: 48,
          x: {
            label: 'Cards',
            grid: true,
            ...countScale(
              rows.map((row) => row.cards),
              8,
            ),
          },
          y: { label: null, domain: rows.map((row) => row.category) },
          marks: [
            Plot.barX(rows, { x: 'cards', y: 'category', fill: 'currentColor' }),
            Plot.text(rows, { x: 'cards', y: 'category', text: 'cards', dx: 12 }),
            Plot.ruleX([0]),
          ],
        }),
    );
  }

  private showMastery(byChapter: Record<string, CategoryCounts>): void {
    const rows = masteryByChapter(byChapter, this.chapterOrder);
    const stages = MASTERY_STAGES;
    const long = rows.flatMap((row) =>
      stages.map((stage) => ({
        chapter: this.titles[row.chapter] ?? row.chapter,
        stage,
        share: row.total ? row[stage] / row.total : 0,
      })),
    );
    const height = 40 + rows.length * 32;
    this.place(
      'mastery',
      { height, legend: SWATCH_LEGEND_HEIGHT, empty: rows.every((row) => row.total === 0) },
      rows
        .map(
          (row) =>
            `${this.titles[row.chapter] ?? row.chapter}: ${Math.round(row.mastery * 100)}% mature of ${row.total}`,
        )
        .join('; ') + '.',
      (Plot) =>
        Plot.plot({
          ariaLabel: 'Stacked bar chart: share of each chapter’s cards by stage',
          height,
          marginLeft: 190,
          x: { label: 'Share of the chapter’s cards', percent: true, domain: [0, 100] },
          y: { label: null, domain: rows.map((row) => this.titles[row.chapter] ?? row.chapter) },
          color: {
            legend: true,
            domain: [...stages],
            range: ['#2e7d32', '#81c784', '#ffb74d', '#bdbdbd', '#7e57c2'],
          },
          marks: [Plot.barX(long, { x: 'share', y: 'chapter', fill: 'stage', order: [...stages] })],
        }),
    );
  }
}
