/**
 * The greater-than map: p(YY | start year XX) for every start year at once, drawn with
 * Observable Plot; rows are prompts, columns the two-digit year tokens, the diagonal marks YY = XX.
 */
import * as Plot from '@observablehq/plot';
import { accessibleChart, plotStyle, type ChartColors } from '../kit/chart-theme';

export function probabilityMap(
  rows: readonly { startYear: number; probabilities: ArrayLike<number> }[],
  colors: ChartColors,
  label: string,
): Element {
  const cells = rows.flatMap(({ startYear, probabilities }) =>
    Array.from(probabilities, (p, year) => ({ startYear, year, p })),
  );
  // The scale tops out at the 99th percentile: a few very likely cells would darken the rest.
  const sorted = cells.map((c) => c.p).sort((a, b) => a - b);
  const largest = Math.max(0.005, sorted[Math.floor(sorted.length * 0.99)] ?? 0);
  const first = rows[0]?.startYear ?? 0;
  const last = rows[rows.length - 1]?.startYear ?? 99;
  return accessibleChart(
    Plot.plot({
      width: 640,
      height: 420,
      marginLeft: 52,
      marginRight: 24,
      style: plotStyle(colors, '11px'),
      x: { domain: [-0.5, 99.5], label: 'predicted year YY', ticks: 10 },
      y: { domain: [first - 0.5, last + 0.5], label: 'start year XX', ticks: 10, reverse: true },
      color: {
        type: 'sqrt',
        domain: [0, largest],
        range: [colors.background, colors.red],
        clamp: true,
        legend: true,
        label: 'probability',
      },
      marks: [
        Plot.rect(cells, {
          x1: (c: { year: number }) => c.year - 0.5,
          x2: (c: { year: number }) => c.year + 0.5,
          y1: (c: { startYear: number }) => c.startYear - 0.5,
          y2: (c: { startYear: number }) => c.startYear + 0.5,
          fill: 'p',
        }),
        Plot.line(
          [
            [first, first],
            [last, last],
          ],
          { stroke: colors.muted, strokeDasharray: '4 3' },
        ),
        Plot.frame({ stroke: colors.hairline }),
      ],
    }),
    label,
  );
}
