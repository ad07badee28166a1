/**
 * The illusion widget's figure: the selected neuron's activations on every token of each text
 * distribution, as two histograms on one axis (Observable Plot, theme colours).
 */
import * as Plot from '@observablehq/plot';
import { accessibleChart, plotStyle, type ChartColors } from '../kit/chart-theme';

/** One histogram per distribution, stacked, sharing the activation axis. */
export function activationHistograms(
  distributions: readonly { name: string; values: Float32Array }[],
  width: number,
  colors: ChartColors,
): SVGSVGElement | HTMLElement {
  const rows = distributions.flatMap(({ name, values }) =>
    Array.from(values, (value) => ({ name, value })),
  );
  const names = distributions.map((d) => d.name);
  const histogramOptions = { x: 'value', fy: 'name', fill: 'name', thresholds: 40, inset: 0.5 };
  return accessibleChart(
    Plot.plot({
      width,
      height: 90 + 70 * distributions.length,
      marginLeft: 48,
      marginRight: 90,
      style: plotStyle(colors, '12px'),
      x: { label: 'activation', labelAnchor: 'center', grid: true },
      y: { type: 'sqrt', label: 'tokens (√ scale)', ticks: 3 },
      fy: { domain: names, label: null },
      color: { domain: names, range: [colors.blue, colors.orange] },
      marks: [
        // Facet and colour by kind of text; binning happens within each group. (Plot's types
        // leave out the channels binX passes through, hence the options in a variable.)
        Plot.rectY(rows, Plot.binX({ y: 'count' }, histogramOptions)),
        Plot.ruleY([0], { stroke: colors.muted }),
      ],
    }),
    'Histograms of the neuron activation on every token of the news-like and the story-like text.',
  );
}
