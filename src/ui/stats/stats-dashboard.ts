/**
 * <residual-stats>: reads the card database and draws the statistics with Observable Plot, which
 * is loaded only here (dynamic import), never on other pages.
 */
import { formatStudyTime, MAX_ANSWER_MS } from '../../srs/answer-time';
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
import { loadStatsData, type StatsData } from '../../storage/stats';
import { startStorage } from '../../storage/bootstrap';

type PlotModule = typeof import('@observablehq/plot');

function required<T extends HTMLElement = HTMLElement>(root: ParentNode, selector: string): T {
  const element = root.querySelector<T>(selector);
  if (!element) throw new Error(`stats page is missing ${selector}`);
  return element;
}

function percent(rate: number | null): string {
  return rate === null ? 'no reviews yet' : `${(rate * 100).toFixed(1)}%`;
}

export class StatsDashboardElement extends HTMLElement {
  private db: ResidualDb | null = null;
  private settings!: Settings;
  private titles: Record<string, string> = {};
  private chapterOrder: string[] = [];

  connectedCallback(): void {
    const data = this.querySelector('[data-titles]')?.textContent;
    const parsed = data
      ? (JSON.parse(data) as { titles: Record<string, string>; order: string[] })
      : { titles: {}, order: [] };
    this.titles = parsed.titles;
    this.chapterOrder = parsed.order;
    document.addEventListener('residual-data-changed', () => void this.render());
    void this.start();
  }

  private async start(): Promise<void> {
    const started = await startStorage({
      deckUrl: this.dataset['deckUrl'] ?? '/deck.json',
      onUpgradeElsewhere: () => {
        required(this, '[data-status]').textContent =
          'Another tab upgraded the database to a newer version. Reload this page.';
      },
    });
    required(this, '[data-loading]').hidden = true;
    if (!started.ok) {
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
    this.removeAttribute('aria-busy');
    this.dataset['ready'] = 'true';
  }

  private async render(): Promise<void> {
    if (!this.db) return;
    try {
      const db = this.db;
      const now = Date.now();
      const hour = this.settings.dayStartHour;
      const [data, Plot] = await Promise.all([
        loadStatsData(db, now, hour),
        import('@observablehq/plot'),
      ]);
      const leeches = await db.cards
        .where('[queue+due]')
        .between(['suspended', -Infinity], ['suspended', Infinity], true, true)
        .filter((card) => card.leech)
        .count();
      this.renderSummary(data, leeches);
      const today = await loadAnswerTimeToday(db, now, this.settings);
      required(this, '[data-summary-time]').textContent =
        `Today: ${today.answers} answer${today.answers === 1 ? '' : 's'}` +
        (today.timed > 0
          ? ` in ${formatStudyTime(today.totalMs)}, ${formatStudyTime(today.meanMs)} each on average (each answer counts at most ${formatStudyTime(MAX_ANSWER_MS)}, as in Anki).`
          : '.');
      this.drawForecast(Plot, data.forecast);
      this.drawHeatmap(Plot, data.heatmap, now);
      this.drawStates(Plot, totalCounts(data.byChapter));
      this.drawMastery(Plot, data.byChapter);
    } catch (error) {
      required(this, '[data-status]').textContent = describeStorageError(error);
    }
  }

  private renderSummary(data: StatsData, leeches: number): void {
    const counts = totalCounts(data.byChapter);
    const active = Object.values(counts).reduce((sum, n) => sum + n, 0) - counts.retired;
    required(this, '[data-summary-cards]').textContent =
      `${active} cards: ${counts.new} new, ${counts.learning} learning, ${counts.young} young, ` +
      `${counts.mature} mature, ${counts.suspended} suspended (${leeches} of them leeches), ` +
      `${counts.buried} buried; ${counts.retired} retired cards are kept with their history.`;
    const { month, year } = data.retention;
    required(this, '[data-summary-retention]').textContent =
      `True retention (answers to cards in review that were not "Again"): ` +
      `${percent(month.rate)} over the last 30 days (${month.reviews} reviews), ` +
      `${percent(year.rate)} over the last year (${year.reviews} reviews). ` +
      `Your desired retention is ${Math.round(this.settings.desiredRetention * 100)}%.`;
    const dueToday = data.forecast[0]?.due ?? 0;
    required(this, '[data-summary-due]').textContent =
      `${dueToday} cards are due today; ${data.totalAnswers} answers recorded in all.`;
  }

  private place(name: string, chart: Element, description: string): void {
    // Plot labels its mark groups with aria-label, which is not allowed on a <g> without a role;
    // the chart is one image, named on its <svg>, and described in words below it.
    for (const group of chart.querySelectorAll('g[aria-label]'))
      group.removeAttribute('aria-label');
    for (const svg of chart.matches('svg') ? [chart] : chart.querySelectorAll('svg')) {
      if (svg.hasAttribute('aria-label')) svg.setAttribute('role', 'img');
    }
    const slot = required(this, `[data-chart="${name}"]`);
    slot.replaceChildren(chart);
    const text = required(this, `[data-chart-text="${name}"]`);
    text.textContent = description;
  }

  private drawForecast(Plot: PlotModule, forecast: ForecastDay[]): void {
    const total = forecast.reduce((sum, day) => sum + day.due, 0);
    const busiest = forecast.reduce((top, day) => (day.due > top.due ? day : top), forecast[0]!);
    const chart = Plot.plot({
      ariaLabel: 'Bar chart: cards due on each of the next 30 days',
      height: 220,
      marginLeft: 40,
      x: { label: 'Days from today', tickFormat: (d: number) => (d % 5 === 0 ? String(d) : '') },
      y: { label: 'Cards due', grid: true },
      marks: [
        Plot.barY(forecast, { x: 'offset', y: 'due', fill: 'currentColor' }),
        Plot.ruleY([0]),
      ],
    });
    this.place(
      'forecast',
      chart,
      `${total} cards fall due in the next 30 days; today has ${forecast[0]?.due ?? 0} (overdue included); the busiest day is ${busiest.date.toLocaleDateString()} with ${busiest.due}.`,
    );
  }

  private drawHeatmap(Plot: PlotModule, days: HeatmapDay[], now: number): void {
    const first = days[0]?.date ?? new Date(now);
    const weekStart = (first.getDay() + 6) % 7; // Monday = 0
    const cells = days.map((day, i) => ({
      ...day,
      week: Math.floor((i + weekStart) / 7),
      weekday: (day.date.getDay() + 6) % 7,
      label: `${day.date.toLocaleDateString()}: ${day.reviews} reviews`,
    }));
    const active = cells.filter((cell) => cell.reviews > 0).length;
    const chart = Plot.plot({
      ariaLabel: 'Calendar heatmap: reviews per day over the last 26 weeks',
      height: 170,
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
        ticks: 4,
        tickFormat: (d: number) => String(Math.round(d)),
      },
      marks: [
        Plot.cell(cells, {
          x: 'week',
          y: 'weekday',
          fill: 'reviews',
          stroke: 'currentColor',
          strokeOpacity: 0.15,
          title: 'label',
          inset: 0.5,
        }),
      ],
    });
    this.place('heatmap', chart, `You reviewed on ${active} of the last ${cells.length} days.`);
  }

  private drawStates(Plot: PlotModule, counts: CategoryCounts): void {
    const rows = (Object.keys(counts) as CardCategory[]).map((category) => ({
      category: CATEGORY_LABELS[category],
      cards: counts[category],
    }));
    const chart = Plot.plot({
      ariaLabel: 'Bar chart: cards in each state',
      height: 240,
      marginLeft: 210,
      x: { label: 'Cards', grid: true },
      y: { label: null, domain: rows.map((row) => row.category) },
      marks: [
        Plot.barX(rows, { x: 'cards', y: 'category', fill: 'currentColor' }),
        Plot.text(rows, { x: 'cards', y: 'category', text: 'cards', dx: 12 }),
        Plot.ruleX([0]),
      ],
    });
    this.place(
      'states',
      chart,
      rows.map((row) => `${row.category}: ${row.cards}`).join('; ') + '.',
    );
  }

  private drawMastery(Plot: PlotModule, byChapter: Record<string, CategoryCounts>): void {
    const rows = masteryByChapter(byChapter, this.chapterOrder);
    const stages = MASTERY_STAGES;
    const long = rows.flatMap((row) =>
      stages.map((stage) => ({
        chapter: this.titles[row.chapter] ?? row.chapter,
        stage,
        share: row.total ? row[stage] / row.total : 0,
      })),
    );
    const chart = Plot.plot({
      ariaLabel: 'Stacked bar chart: share of each chapter’s cards by stage',
      height: 40 + rows.length * 32,
      marginLeft: 190,
      x: { label: 'Share of the chapter’s cards', percent: true, domain: [0, 100] },
      y: { label: null, domain: rows.map((row) => this.titles[row.chapter] ?? row.chapter) },
      color: {
        legend: true,
        domain: [...stages],
        range: ['#2e7d32', '#81c784', '#ffb74d', '#bdbdbd', '#7e57c2'],
      },
      marks: [Plot.barX(long, { x: 'share', y: 'chapter', fill: 'stage', order: [...stages] })],
    });
    this.place(
      'mastery',
      chart,
      rows
        .map(
          (row) =>
            `${this.titles[row.chapter] ?? row.chapter}: ${Math.round(row.mastery * 100)}% mature of ${row.total}`,
        )
        .join('; ') + '.',
    );
  }
}
