/**
 * The DAS widget's two figures (Observable Plot, theme colours): the change each patch makes to
 * the logit difference, as horizontal bars, and the logit difference as the patch direction turns from the
 * dormant part to the disconnected part.
 */
import * as Plot from '@observablehq/plot';
import { accessibleChart, plotStyle, type ChartColors } from '../kit/chart-theme';
import { CONDITION_LABELS, type Condition } from './subspace';

/** The patches the bar chart compares (the unpatched runs are its baseline and the text). */
export const PATCHES: readonly Condition[] = ['full', 'direction', 'dormant', 'disconnected'];

function patchColor(condition: Condition, colors: ChartColors): string {
  if (condition === 'full') return colors.blue;
  if (condition === 'direction') return colors.accent;
  return colors.muted;
}

/**
 * One bar per patch: how far it moves this pair's logit difference from the unpatched base
 * (negative: toward the source's answer), and a tick at the mean change over the held-out pairs
 * when known. Changes, not levels: at the illusory site every effect is small beside the 20-odd
 * logits between base and source, and would vanish on that scale.
 */
export function changeBars(
  pair: Record<Condition, number>,
  mean: Record<Condition, number> | null,
  width: number,
  colors: ChartColors,
): Element {
  const rows = PATCHES.map((c) => ({
    label: CONDITION_LABELS[c],
    value: pair[c] - pair.base,
    mean: mean ? mean[c] - mean.base : Number.NaN,
    color: patchColor(c, colors),
  }));
  const labels = rows.map((r) => r.label);
  return accessibleChart(
    Plot.plot({
      width,
      height: 60 + 36 * rows.length,
      marginLeft: 170,
      marginRight: 56,
      style: plotStyle(colors, '12px'),
      x: {
        label: 'change in logit difference (← toward the source answer)',
        grid: true,
        insetLeft: 48,
        insetRight: 48,
      },
      y: { domain: labels, label: null },
      marks: [
        Plot.barX(rows, { x: 'value', y: 'label', fill: 'color', insetTop: 5, insetBottom: 5 }),
        Plot.tickX(
          rows.filter((r) => Number.isFinite(r.mean)),
          { x: 'mean', y: 'label', stroke: colors.text, strokeWidth: 2, strokeDasharray: '3,2' },
        ),
        // Each value outside its bar's end, on the side away from zero.
        Plot.text(
          rows.filter((r) => r.value >= 0),
          {
            x: 'value',
            y: 'label',
            text: (r: { value: number }) => `+${r.value.toFixed(2)}`,
            dx: 6,
            textAnchor: 'start',
            fill: colors.text,
          },
        ),
        Plot.text(
          rows.filter((r) => r.value < 0),
          {
            x: 'value',
            y: 'label',
            text: (r: { value: number }) => r.value.toFixed(2),
            dx: -6,
            textAnchor: 'end',
            fill: colors.text,
          },
        ),
        Plot.ruleX([0], { stroke: colors.text }),
      ],
    }),
    'Bar chart of how far each patch moves the logit difference of this pair from the unpatched base: the whole activation, the learned direction, its dormant part and its disconnected part. Dashed ticks: mean change over the held-out pairs. The table below lists the numbers.',
  );
}

/**
 * The logit difference against the mixing angle θ (0° dormant part alone, 90° disconnected part
 * alone), with the learned direction's angle and the slider's angle marked.
 */
export function angleCurve(
  angles: readonly number[],
  logitDiffs: readonly number[],
  marks: { chosen: number; learned: number; base: number },
  width: number,
  colors: ChartColors,
): Element {
  const points = angles.map((angle, i) => ({ angle, value: logitDiffs[i]! }));
  const at = (angle: number) => {
    let best = points[0]!;
    for (const p of points) if (Math.abs(p.angle - angle) < Math.abs(best.angle - angle)) best = p;
    return best;
  };
  return accessibleChart(
    Plot.plot({
      width,
      height: 240,
      marginLeft: 56,
      marginRight: 24,
      style: plotStyle(colors, '12px'),
      x: {
        domain: [0, 90],
        label: 'θ: 0° dormant part only → 90° disconnected part only',
        ticks: 10,
      },
      y: { label: 'logit difference', grid: true },
      marks: [
        Plot.ruleY([marks.base], { stroke: colors.blue, strokeDasharray: '4,3' }),
        Plot.text([marks.base], {
          x: 90,
          y: (d: number) => d,
          text: () => 'unpatched',
          dy: -8,
          textAnchor: 'end',
          fill: colors.blue,
        }),
        Plot.ruleX([marks.learned], { stroke: colors.accent, strokeDasharray: '4,3' }),
        Plot.text([marks.learned], {
          x: (d: number) => d,
          frameAnchor: 'top',
          text: () => 'v',
          dx: 6,
          fill: colors.accent,
        }),
        Plot.line(points, { x: 'angle', y: 'value', stroke: colors.text, strokeWidth: 2 }),
        Plot.dot([at(marks.chosen)], { x: 'angle', y: 'value', r: 5, fill: colors.accent }),
      ],
    }),
    'Line chart of the logit difference as the patching direction turns from the dormant part (0 degrees) to the disconnected part (90 degrees); the learned direction and the chosen angle are marked.',
  );
}

/**
 * Every held-out pair as one dot per patch: how far that patch moves the pair's logit difference
 * from its unpatched base. The chosen pair is ringed. Shows whether a mean effect is shared by
 * the pairs or carried by a few.
 */
export function pairStrip(
  perPair: Record<Condition, readonly number[]>,
  chosen: number,
  width: number,
  colors: ChartColors,
): Element {
  const rows = PATCHES.flatMap((c) =>
    perPair[c].map((value, pair) => ({
      label: CONDITION_LABELS[c],
      pair,
      change: value - perPair.base[pair]!,
      color: patchColor(c, colors),
    })),
  );
  const labels = PATCHES.map((c) => CONDITION_LABELS[c]);
  return accessibleChart(
    Plot.plot({
      width,
      height: 60 + 40 * labels.length,
      marginLeft: 170,
      marginRight: 24,
      style: plotStyle(colors, '12px'),
      x: {
        label: 'change in logit difference, one dot per held-out pair',
        grid: true,
        insetLeft: 12,
        insetRight: 12,
      },
      y: { domain: labels, label: null },
      marks: [
        Plot.ruleX([0], { stroke: colors.text }),
        Plot.dot(rows, {
          x: 'change',
          y: 'label',
          fill: 'color',
          fillOpacity: 0.45,
          r: 3.5,
        }),
        Plot.dot(
          rows.filter((r) => r.pair === chosen),
          { x: 'change', y: 'label', r: 7, stroke: colors.text, strokeWidth: 2 },
        ),
      ],
    }),
    'Strip chart: for every held-out pair, how far each patch moves its logit difference; the chosen pair is ringed. The sentence below the chart summarises it.',
  );
}

/** The recipe's training curve: mean patched logit difference on the training pairs by step. */
export function trainingCurve(
  curve: readonly { step: number; logitDiff: number }[],
  width: number,
  colors: ChartColors,
): Element {
  return accessibleChart(
    Plot.plot({
      width,
      height: 180,
      marginLeft: 56,
      marginRight: 24,
      style: plotStyle(colors, '12px'),
      x: { label: 'Adam step', grid: true },
      y: { label: 'mean logit difference, patched along v', grid: true, nice: true },
      marks: [
        Plot.line(curve, { x: 'step', y: 'logitDiff', stroke: colors.accent, strokeWidth: 2 }),
        Plot.dot(curve.slice(-1), { x: 'step', y: 'logitDiff', r: 4, fill: colors.accent }),
      ],
    }),
    'Line chart of the training curve: the mean logit difference on the training pairs when patching along the direction being learned, by optimisation step. The sentence below gives its first and last values.',
  );
}
