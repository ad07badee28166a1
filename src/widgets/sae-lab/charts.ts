/**
 * The SAE lab's figures (Observable Plot, theme colours): the sparsity–reconstruction trade-off
 * of every SAE, a training curve, and one feature's activation histogram.
 */
import * as Plot from '@observablehq/plot';
import { accessibleChart, plotStyle, type ChartColors } from '../kit/chart-theme';

export interface TradeoffPoint {
  readonly label: string;
  readonly l0: number;
  readonly fvu: number;
}

/** L0 (x) against fraction of variance unexplained (y), one labelled dot per SAE. */
export function tradeoffChart(
  points: readonly TradeoffPoint[],
  width: number,
  colors: ChartColors,
): Element {
  const labels = points.map((p) => p.label);
  const palette = [colors.blue, colors.orange, colors.purple, colors.red, colors.green];
  return accessibleChart(
    Plot.plot({
      width: Math.min(width, 520),
      height: 260,
      marginLeft: 52,
      marginRight: 24,
      style: plotStyle(colors, '11px'),
      x: { label: 'L0: active features per token', grid: true, zero: true },
      y: { label: 'fraction of variance unexplained', grid: true, zero: true },
      color: { domain: labels, range: palette.slice(0, labels.length), legend: true },
      marks: [
        Plot.dot(points, { x: 'l0', y: 'fvu', fill: 'label', r: 5, tip: true }),
        Plot.text(points, { x: 'l0', y: 'fvu', text: 'label', dy: -10, fill: colors.text }),
      ],
    }),
    `Sparsity against reconstruction error: ${points
      .map((p) => `${p.label} L0 ${p.l0.toFixed(1)}, FVU ${p.fvu.toFixed(3)}`)
      .join('; ')}.`,
  );
}

/** One training measure over steps. */
export function trainingCurve(
  points: readonly { step: number; value: number }[],
  label: string,
  width: number,
  colors: ChartColors,
): Element {
  const last = points.at(-1);
  return accessibleChart(
    Plot.plot({
      width: Math.min(width, 340),
      height: 170,
      marginLeft: 48,
      style: plotStyle(colors, '11px'),
      x: { label: 'step', grid: true },
      y: { label, grid: true, zero: true },
      marks: [
        Plot.line(points, { x: 'step', y: 'value', stroke: colors.accent, strokeWidth: 1.5 }),
        Plot.ruleY([0], { stroke: colors.muted }),
      ],
    }),
    last ? `${label} over training: ${last.value.toFixed(3)} at step ${last.step}.` : label,
  );
}

/** Histogram of one feature's nonzero activations. */
export function activationHistogram(
  values: readonly number[],
  width: number,
  colors: ChartColors,
): Element {
  const histogramOptions = { thresholds: 30, fill: colors.blue, inset: 0.5 };
  return accessibleChart(
    Plot.plot({
      width: Math.min(width, 520),
      height: 160,
      marginLeft: 48,
      style: plotStyle(colors, '11px'),
      x: { label: 'activation (where active)', grid: true },
      y: { label: 'tokens', grid: true },
      marks: [
        // (Plot's types leave out the style options binX passes through, hence the variable.)
        Plot.rectY(values, Plot.binX({ y: 'count' }, histogramOptions)),
        Plot.ruleY([0], { stroke: colors.muted }),
      ],
    }),
    `Histogram of the feature's activation on the ${values.length} tokens where it is active.`,
  );
}
