/**
 * The direct-logit-attribution figure, drawn with Observable Plot from plain numbers and theme
 * colours: the bars of each component's direct effect. It returns a fresh element; the client
 * module places it.
 */
import * as Plot from '@observablehq/plot';
import { accessibleChart, plotStyle, type ChartColors } from '../kit/chart-theme';

export interface EffectBar {
  readonly label: string;
  /** Group for the axis: "embed", "layer 0", … */
  readonly group: string;
  readonly value: number;
}

/**
 * Each component's direct effect as a bar, blue when it pushes against the answer and red when it
 * pushes towards it, in the order components write to the stream (embeddings first).
 */
export function effectChart(
  bars: readonly EffectBar[],
  colors: ChartColors,
  label: string,
  maxWidth: number,
): Element {
  const extent = Math.max(1e-6, ...bars.map((b) => Math.abs(b.value)));
  const width = Math.min(maxWidth, 640);
  return accessibleChart(
    Plot.plot({
      width,
      height: 40 + bars.length * 17,
      marginLeft: 100,
      marginRight: 50,
      style: plotStyle(colors, '11px'),
      x: { domain: [-extent * 1.1, extent * 1.1], label, labelAnchor: 'center', grid: true },
      y: { domain: bars.map((b) => b.label), label: null, tickSize: 0 },
      color: {
        type: 'linear',
        domain: [-extent, 0, extent],
        range: [...colors.diverging],
        interpolate: 'rgb',
      },
      marks: [
        Plot.barX(bars, {
          x: 'value',
          y: 'label',
          fill: 'value',
          stroke: colors.hairline,
          strokeWidth: 0.5,
          inset: 1,
        }),
        Plot.ruleX([0], { stroke: colors.muted }),
        // The number right of the bar's end, or right of zero for a negative bar.
        Plot.text(bars, {
          x: (b: EffectBar) => Math.max(0, b.value),
          y: 'label',
          text: (b: EffectBar) => b.value.toFixed(2),
          textAnchor: 'start',
          dx: 4,
          fill: colors.text,
          fontSize: 11,
        }),
      ],
    }),
    `Direct effect of each component on ${label}. The table below lists the numbers.`,
  );
}
