/**
 * The grokking replay's figures, drawn with Observable Plot from plain numbers and theme colours:
 * the loss curves over training, the progress measures (restricted and excluded loss), and the
 * Fourier spectrum of the embedding at one checkpoint. Each function returns a fresh element.
 */
import * as Plot from '@observablehq/plot';
import { accessibleChart, plotStyle, type ChartColors } from '../kit/chart-theme';

/** A curve: one named series of (step, value) points. */
export interface Series {
  readonly name: string;
  readonly color: string;
  readonly dashed?: boolean;
  readonly points: readonly { step: number; value: number }[];
}

/** Steps worth a labelled vertical line (memorised, generalised). */
export interface StepMark {
  readonly step: number;
  readonly label: string;
}

interface TimelineOptions {
  readonly series: readonly Series[];
  readonly marks: readonly StepMark[];
  /** The selected checkpoint's step. */
  readonly current: number;
  readonly lastStep: number;
  readonly yLabel: string;
  readonly width: number;
  readonly label: string;
}

/** Losses over training on a log axis, with the step marks and the selected checkpoint. */
export function timelineChart(
  options: TimelineOptions,
  colors: ChartColors,
): SVGSVGElement | HTMLElement {
  const rows = options.series.flatMap((series) =>
    series.points
      .filter((point) => point.value > 0)
      .map((point) => ({ ...point, series: series.name })),
  );
  const values = rows.map((row) => row.value);
  const low = 10 ** Math.floor(Math.log10(Math.min(...values)));
  const high = 10 ** Math.ceil(Math.log10(Math.max(...values)));
  const current = options.series.flatMap((series) => {
    // The value at the selected step: the nearest point of each series.
    let nearest = series.points[0];
    for (const point of series.points)
      if (Math.abs(point.step - options.current) < Math.abs(nearest!.step - options.current))
        nearest = point;
    return nearest && nearest.value > 0 ? [{ ...nearest, color: series.color }] : [];
  });
  return accessibleChart(
    Plot.plot({
      width: options.width,
      height: 240,
      marginLeft: 52,
      marginRight: 12,
      marginTop: 24,
      style: plotStyle(colors, '12px'),
      x: { domain: [0, options.lastStep], label: 'training step', labelAnchor: 'center' },
      y: {
        type: 'log',
        domain: [low, high],
        label: options.yLabel,
        grid: true,
        tickFormat: (v: number) => (Number.isInteger(Math.log10(v)) ? `1e${Math.log10(v)}` : ''),
      },
      marks: [
        Plot.ruleX(options.marks, {
          x: 'step',
          stroke: colors.muted,
          strokeDasharray: '4 3',
        }),
        // Labels along the bottom, right of their line: the top holds the axis label.
        Plot.text(options.marks, {
          x: 'step',
          y: low,
          text: 'label',
          dx: 4,
          dy: -7,
          textAnchor: 'start',
          fill: colors.muted,
        }),
        ...options.series.map((series) =>
          Plot.line(
            series.points.filter((point) => point.value > 0),
            {
              x: 'step',
              y: 'value',
              stroke: series.color,
              strokeWidth: 1.75,
              ...(series.dashed ? { strokeDasharray: '5 3' } : {}),
            },
          ),
        ),
        Plot.ruleX([options.current], { stroke: colors.accent, strokeWidth: 2 }),
        Plot.dot(current, {
          x: 'step',
          y: 'value',
          fill: 'color',
          r: 4,
          stroke: colors.background,
        }),
      ],
    }),
    options.label,
  );
}

/**
 * The embedding's norm on each frequency k = 1…(p−1)/2 at one checkpoint, the key frequencies
 * in the accent colour and labelled. `maxNorm` fixes the axis across checkpoints, so that growth
 * shows as growth.
 */
export function spectrumChart(
  norms: ArrayLike<number>,
  keyFrequencies: readonly number[],
  maxNorm: number,
  width: number,
  colors: ChartColors,
): SVGSVGElement | HTMLElement {
  const keys = new Set(keyFrequencies);
  const bars = Array.from({ length: norms.length - 1 }, (_, i) => ({
    k: i + 1,
    norm: norms[i + 1]!,
    key: keys.has(i + 1),
  }));
  // Neighbouring key frequencies (15 and 16) would print their labels on top of each other: every
  // second one of a run of neighbours is labelled one line higher.
  const labels = bars
    .filter((bar) => bar.key)
    .map((bar, i, all) => ({ ...bar, raised: i > 0 && all[i - 1]!.k === bar.k - 1 }));
  const raised = (bar: { raised: boolean }) => bar.raised;
  return accessibleChart(
    Plot.plot({
      width,
      height: 220,
      marginLeft: 40,
      marginRight: 12,
      marginTop: 32,
      style: plotStyle(colors, '12px'),
      x: {
        type: 'linear',
        domain: [0.5, norms.length - 0.5],
        label: 'frequency k',
        labelAnchor: 'center',
        ticks: [1, 10, 20, 30, 40, 50],
      },
      y: { domain: [0, maxNorm], label: 'norm of W_E on k', grid: true },
      marks: [
        Plot.rectY(bars, {
          x1: (bar: { k: number }) => bar.k - 0.4,
          x2: (bar: { k: number }) => bar.k + 0.4,
          y: 'norm',
          fill: (bar: { key: boolean }) => (bar.key ? colors.accent : colors.muted),
        }),
        ...[false, true].map((up) =>
          Plot.text(
            labels.filter((bar) => raised(bar) === up),
            {
              x: 'k',
              y: 'norm',
              text: (bar: { k: number }) => String(bar.k),
              dy: up ? -20 : -8,
              fill: colors.text,
              fontWeight: 600,
            },
          ),
        ),
        Plot.ruleY([0], { stroke: colors.muted }),
      ],
    }),
    'Fourier spectrum of the embedding: the norm of W_E on each frequency at the selected checkpoint, key frequencies highlighted; the numbers are in the table.',
  );
}
