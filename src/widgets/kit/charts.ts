/**
 * Figures shared by the tiny-lm widgets, drawn with Observable Plot from plain numbers and theme
 * colours: a signed heatmap (layers × positions or heads), a scatter with its fit line, and a
 * curve over the 100 two-digit years. Each returns a fresh element; the caller places it.
 */
import * as Plot from '@observablehq/plot';
import { accessibleChart, plotStyle, type ChartColors } from './chart-theme';
import { gridCells, type Grid } from './grid';

export interface HeatmapOptions {
  /** What the chart shows, for assistive technology. */
  readonly label: string;
  /** Legend label of the colour scale. */
  readonly legend: string;
  /** Axis labels. */
  readonly x?: string;
  readonly y?: string;
  /** Largest |value| the colour scale reaches (default: the grid's own). */
  readonly extent?: number;
  /** Cell text format (default two decimals); null: no text in the cells. */
  readonly format?: ((value: number) => string) | null;
  /** Cell width in px (default: fitted to `maxWidth`). */
  readonly cellWidth?: number;
  /** Width available for the whole chart in px (default 640). */
  readonly maxWidth?: number;
  /** Column labels to mark (e.g. the positions where the prompts differ). */
  readonly marked?: readonly string[];
}

const twoDecimals = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : '—');

/**
 * A signed heatmap on a diverging scale, blue (negative) through the page background (zero) to
 * red (positive), so that it reads in both themes; each cell carries its value as text.
 */
export function heatmap(grid: Grid, colors: ChartColors, options: HeatmapOptions): Element {
  const cells = gridCells(grid);
  let extent = options.extent ?? 0;
  if (options.extent === undefined)
    for (const c of cells)
      if (Number.isFinite(c.value)) extent = Math.max(extent, Math.abs(c.value));
  extent = extent > 0 ? extent : 1;
  const longest = Math.max(...grid.columns.map((c) => c.length));
  const cellWidth =
    options.cellWidth ??
    Math.max(34, Math.min(56, Math.floor(((options.maxWidth ?? 640) - 72) / grid.columns.length)));
  const marginBottom = Math.min(110, 18 + longest * 5.5);
  const format = options.format === undefined ? twoDecimals : options.format;
  const marked = new Set(options.marked ?? []);
  // Text on a cell: the page's text colour on pale cells, the background colour on strong ones.
  const textFill = (value: number) =>
    Math.abs(value) / extent > 0.55 ? colors.background : colors.text;
  return accessibleChart(
    Plot.plot({
      width: 70 + cellWidth * grid.columns.length,
      height: marginBottom + 30 + 24 * grid.rows.length,
      marginLeft: 64,
      marginBottom,
      marginTop: 26,
      style: plotStyle(colors, '11px'),
      x: {
        domain: [...grid.columns],
        label: options.x ?? null,
        tickRotate: grid.columns.length > 6 ? -50 : 0,
        tickSize: 0,
        tickFormat: (c: string) => (marked.has(c) ? `${c} ◆` : c),
      },
      y: { domain: [...grid.rows], label: options.y ?? null, tickSize: 0 },
      color: {
        type: 'linear',
        domain: [-extent, 0, extent],
        range: [...colors.diverging],
        interpolate: 'rgb',
        clamp: true,
        legend: true,
        label: options.legend,
      },
      marks: [
        Plot.cell(cells, { x: 'column', y: 'row', fill: 'value', inset: 0.5 }),
        ...(format === null
          ? []
          : [
              Plot.text(cells, {
                x: 'column',
                y: 'row',
                text: (c: { value: number }) => format(c.value),
                fill: (c: { value: number }) => textFill(c.value),
                fontSize: 11,
              }),
            ]),
        Plot.frame({ stroke: colors.hairline }),
      ],
    }),
    options.label,
  );
}

export interface ScatterPoint {
  readonly x: number;
  readonly y: number;
  readonly group: string;
  readonly label: string;
}

/** Points by group (colour and shape), the identity line y = x, and a least-squares line. */
export function scatter(
  points: readonly ScatterPoint[],
  colors: ChartColors,
  options: { label: string; x: string; y: string; fit: { slope: number; intercept: number } },
): Element {
  const values = points.flatMap((p) => [p.x, p.y]);
  const lo = Math.min(0, ...values);
  const hi = Math.max(0, ...values);
  const pad = (hi - lo) * 0.06 || 1;
  const domain = [lo - pad, hi + pad];
  const groups = [...new Set(points.map((p) => p.group))];
  const palette = [colors.blue, colors.red, colors.orange, colors.purple, colors.green];
  return accessibleChart(
    Plot.plot({
      width: 420,
      height: 380,
      marginLeft: 52,
      style: plotStyle(colors, '11px'),
      x: { domain, label: options.x, grid: true },
      y: { domain, label: options.y, grid: true },
      color: { domain: groups, range: palette.slice(0, groups.length), legend: true },
      symbol: { domain: groups, legend: false },
      marks: [
        Plot.line(
          [
            [domain[0]!, domain[0]!],
            [domain[1]!, domain[1]!],
          ],
          { stroke: colors.muted, strokeDasharray: '4 3' },
        ),
        Plot.line(
          domain.map((x) => [x, options.fit.slope * x + options.fit.intercept]),
          { stroke: colors.accent, strokeWidth: 1.5 },
        ),
        Plot.dot(points, {
          x: 'x',
          y: 'y',
          stroke: 'group',
          symbol: 'group',
          r: 3.5,
          title: (p: ScatterPoint) =>
            `${p.label}: patching ${p.x.toFixed(3)}, estimate ${p.y.toFixed(3)}`,
        }),
      ],
    }),
    options.label,
  );
}

/** Bars of a probability over the two-digit years 00..99, with the start year marked. */
export function yearCurve(
  probabilities: ArrayLike<number>,
  startYear: number,
  colors: ChartColors,
  options: { label: string; comparison?: ArrayLike<number> },
): Element {
  const bars = Array.from(probabilities, (p, year) => ({
    year,
    p,
    side: year > startYear ? 'after the start year' : 'at or before',
  }));
  const comparison = options.comparison
    ? Array.from(options.comparison, (p, year) => ({ year, p }))
    : [];
  return accessibleChart(
    Plot.plot({
      width: 640,
      height: 260,
      marginLeft: 48,
      marginRight: 24,
      style: plotStyle(colors, '11px'),
      x: { domain: [-0.5, 99.5], label: 'year YY (two-digit token)', ticks: 10 },
      y: { label: 'probability', grid: true },
      color: {
        domain: ['after the start year', 'at or before'],
        range: [colors.red, colors.blue],
        legend: true,
      },
      marks: [
        Plot.rectY(bars, {
          x1: (b: { year: number }) => b.year - 0.45,
          x2: (b: { year: number }) => b.year + 0.45,
          y: 'p',
          fill: 'side',
        }),
        ...(comparison.length > 0
          ? [
              Plot.line(comparison, {
                x: 'year',
                y: 'p',
                stroke: colors.muted,
                strokeDasharray: '3 2',
              }),
            ]
          : []),
        Plot.ruleX([startYear + 0.5], { stroke: colors.text, strokeDasharray: '4 3' }),
        Plot.ruleY([0], { stroke: colors.hairline }),
      ],
    }),
    options.label,
  );
}

/** A table of a grid's numbers (what screen readers and the tests read), three decimals. */
export function gridTable(grid: Grid, caption: string, corner = ''): HTMLTableElement {
  const table = document.createElement('table');
  table.className = 'tiny-lm-table';
  table.createCaption().textContent = caption;
  const head = table.createTHead().insertRow();
  for (const text of [corner, ...grid.columns]) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = text;
    head.append(th);
  }
  const body = table.createTBody();
  grid.rows.forEach((rowLabel, r) => {
    const tr = body.insertRow();
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = rowLabel;
    tr.append(th);
    grid.columns.forEach((_, c) => {
      const value = grid.values[r * grid.columns.length + c]!;
      tr.insertCell().textContent = Number.isFinite(value) ? value.toFixed(3) : '—';
    });
  });
  return table;
}
