/**
 * The toy model's figures, drawn with Observable Plot from plain numbers and theme colours. Each
 * function returns a fresh SVG (or figure) element; the client module decides where it goes.
 */
import * as Plot from '@observablehq/plot';
import { accessibleChart, plotStyle, type ChartColors } from '../kit/chart-theme';
import type { FeatureGeometry, SweepPoint } from './toy-model';

/** Shared styling: text in the theme's colour, transparent background. */
/** `Feature 0`, `Feature 1`, … as axis labels. */
const featureName = (i: number) => `f${i}`;

/** For m = 2: each feature's column of W as an arrow from the origin, coloured by importance. */
export function featureArrows(
  weights: Float64Array,
  n: number,
  importance: Float64Array,
  colors: ChartColors,
): SVGSVGElement | HTMLElement {
  const arrows = Array.from({ length: n }, (_, i) => ({
    feature: featureName(i),
    x: weights[i]!,
    y: weights[n + i]!,
    importance: importance[i]!,
  }));
  const extent = Math.max(1.3, ...arrows.map((a) => Math.hypot(a.x, a.y) * 1.3));
  return accessibleChart(
    Plot.plot({
      width: 300,
      height: 300,
      aspectRatio: 1,
      inset: 8,
      style: plotStyle(colors, '12px'),
      x: { domain: [-extent, extent], label: 'hidden dim 0', ticks: 5 },
      y: { domain: [-extent, extent], label: 'hidden dim 1', ticks: 5 },
      color: { type: 'linear', domain: [0, 1], range: [colors.muted, colors.text] },
      marks: [
        Plot.ruleX([0], { stroke: colors.hairline }),
        Plot.ruleY([0], { stroke: colors.hairline }),
        Plot.arrow(arrows, {
          x1: () => 0,
          y1: () => 0,
          x2: 'x',
          y2: 'y',
          stroke: 'importance',
          strokeWidth: 2,
          headLength: 10,
        }),
        Plot.text(arrows, {
          x: (a: { x: number }) => a.x * 1.12,
          y: (a: { y: number }) => a.y * 1.12,
          text: 'feature',
          fill: colors.text,
        }),
      ],
    }),
    'Feature directions in the two hidden dimensions. One arrow per feature from the origin to its column of W; the table below lists the numbers.',
  );
}

/** WᵀW as a heatmap: the diagonal is each feature's squared norm, off-diagonal cells interference. */
export function gramHeatmap(
  gram: Float64Array,
  n: number,
  colors: ChartColors,
): SVGSVGElement | HTMLElement {
  const cells: { row: string; column: string; value: number }[] = [];
  let largest = 1;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const value = gram[i * n + j]!;
      largest = Math.max(largest, Math.abs(value));
      cells.push({ row: featureName(i), column: featureName(j), value });
    }
  }
  const names = Array.from({ length: n }, (_, i) => featureName(i));
  const size = Math.min(300, 44 + n * 40);
  return accessibleChart(
    Plot.plot({
      width: size,
      height: size,
      marginLeft: 36,
      marginTop: 28,
      style: plotStyle(colors, '12px'),
      x: { domain: names, axis: 'top', label: null, tickSize: 0 },
      y: { domain: names, label: null, tickSize: 0 },
      color: {
        type: 'linear',
        domain: [-largest, 0, largest],
        range: [...colors.diverging],
        interpolate: 'rgb',
      },
      marks: [
        Plot.cell(cells, { x: 'column', y: 'row', fill: 'value', inset: 0.5 }),
        Plot.frame({ stroke: colors.hairline }),
      ],
    }),
    'Heatmap of W transpose W. Row i, column j shows the dot product of feature i and feature j directions; red positive, blue negative.',
  );
}

/**
 * Each feature's norm ‖W_i‖ as a bar, coloured by its superposition Σ_{j≠i} (Ŵ_i·W_j)²:
 * the theme's text colour when the feature has a dimension to itself, red when it shares.
 */
export function normBars(
  geometry: FeatureGeometry,
  colors: ChartColors,
): SVGSVGElement | HTMLElement {
  const rows = Array.from(geometry.norms, (norm, i) => ({
    feature: featureName(i),
    norm,
    superposition: Math.min(1, geometry.superposition[i]!),
  }));
  return accessibleChart(
    Plot.plot({
      width: 300,
      height: 40 + rows.length * 22,
      marginLeft: 36,
      style: plotStyle(colors, '12px'),
      x: { domain: [0, Math.max(1.25, ...rows.map((r) => r.norm))], label: '‖W_i‖', grid: true },
      y: { domain: rows.map((r) => r.feature), label: null, tickSize: 0 },
      color: {
        type: 'linear',
        domain: [0, 1],
        range: [colors.text, colors.red],
        label: 'superposition',
      },
      marks: [
        Plot.barX(rows, { x: 'norm', y: 'feature', fill: 'superposition', inset: 2 }),
        Plot.ruleX([0], { stroke: colors.muted }),
      ],
    }),
    'Norm of each feature, coloured by superposition',
  );
}

/**
 * The sparsity sweep: each feature's dimensionality D_i against 1/(1−S) on a log axis. The dots
 * sit on plateaus — 1 (own dimension), 1/2 (antipodal pair), 2/5 (pentagon) — with jumps between.
 */
export function sweepChart(
  points: readonly SweepPoint[],
  colors: ChartColors,
  width = 640,
): SVGSVGElement | HTMLElement {
  const narrow = width < 480;
  const dots = points.flatMap((point) =>
    Array.from(point.dimensionality, (dimensionality, i) => ({
      density: 1 / (1 - point.sparsity),
      sparsity: point.sparsity,
      dimensionality,
      feature: featureName(i),
    })),
  );
  // The mean over represented features (norm > 0.5): dropped features would drag it to 0.
  const mean = points.map((point) => {
    const kept = Array.from(point.dimensionality).filter((_, i) => point.norms[i]! > 0.5);
    return {
      density: 1 / (1 - point.sparsity),
      mean: kept.length > 0 ? kept.reduce((a, b) => a + b, 0) / kept.length : 0,
    };
  });
  const plateaus = [
    { value: 1, label: '1: own dimension' },
    { value: 0.5, label: '1/2: antipodal pair' },
    { value: 0.4, label: '2/5: pentagon' },
  ];
  return accessibleChart(
    Plot.plot({
      width,
      height: 280,
      marginRight: narrow ? 20 : 130,
      style: plotStyle(colors, '12px'),
      x: {
        type: 'log',
        domain: [1, 100],
        ticks: [1, 2, 5, 10, 20, 50, 100],
        tickFormat: (density: number) => String(Math.round((1 - 1 / density) * 100) / 100),
        label: 'feature sparsity S (log scale in 1 / (1 − S))',
        labelAnchor: 'center',
        labelArrow: 'none',
      },
      y: { domain: [0, 1.05], label: 'feature dimensionality D_i', grid: true },
      marks: [
        Plot.ruleY(plateaus, { y: 'value', stroke: colors.hairline, strokeDasharray: '4 3' }),
        // Plateau names in the right margin; on a narrow screen, above each line at the right end.
        Plot.text(plateaus, {
          x: 100,
          y: 'value',
          text: 'label',
          textAnchor: narrow ? 'end' : 'start',
          dx: narrow ? 0 : 6,
          dy: narrow ? -7 : 0,
          fill: colors.muted,
        }),
        Plot.line(mean, { x: 'density', y: 'mean', stroke: colors.accent, strokeWidth: 1.5 }),
        Plot.dot(dots, {
          x: 'density',
          y: 'dimensionality',
          fill: colors.text,
          r: 3,
          title: (d: { feature: string; sparsity: number; dimensionality: number }) =>
            `${d.feature} at S = ${d.sparsity}: D = ${d.dimensionality.toFixed(2)}`,
        }),
      ],
    }),
    'Sparsity sweep: dimensionality of each feature against sparsity',
  );
}
