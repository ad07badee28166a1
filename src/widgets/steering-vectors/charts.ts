/**
 * The steering figure, drawn with Observable Plot from plain numbers and theme colours: the
 * sentiment measure against the steering coefficient, with the chosen coefficient marked.
 */
import * as Plot from '@observablehq/plot';
import { accessibleChart, type ChartColors } from '../kit/chart-theme';

const FONT = { fontSize: '11px', fontFamily: 'inherit' };

export interface SentimentPoint {
  readonly coefficient: number;
  readonly sentiment: number;
}

/** Sentiment after the prompt for each coefficient; a rule at 0 and a dot at the chosen one. */
export function sentimentChart(
  points: readonly SentimentPoint[],
  chosen: number,
  colors: ChartColors,
  width: number,
): Element {
  const at = points.find((p) => p.coefficient === chosen);
  return accessibleChart(
    Plot.plot({
      width: Math.min(560, width),
      height: 240,
      marginLeft: 48,
      marginBottom: 40,
      style: { ...FONT, color: colors.text, background: 'transparent', overflow: 'visible' },
      x: { label: 'coefficient (× the vector) →', grid: true },
      y: { label: '↑ sentiment (logits: positive − negative)', grid: true },
      marks: [
        Plot.ruleY([0], { stroke: colors.muted }),
        Plot.ruleX([0], { stroke: colors.muted }),
        Plot.line(points, {
          x: 'coefficient',
          y: 'sentiment',
          stroke: colors.accent,
          strokeWidth: 2,
        }),
        Plot.dot(points, { x: 'coefficient', y: 'sentiment', fill: colors.accent, r: 2.5 }),
        ...(at
          ? [
              Plot.dot([at], {
                x: 'coefficient',
                y: 'sentiment',
                r: 6,
                stroke: colors.red,
                strokeWidth: 2,
              }),
            ]
          : []),
      ],
    }),
    'Sentiment of the next word after the prompt (mean logit of positive adjectives minus negative ones) for each steering coefficient. The table lists the numbers.',
  );
}
