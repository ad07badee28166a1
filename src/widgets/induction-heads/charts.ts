/**
 * The induction-heads figures, drawn with Observable Plot from plain numbers and theme colours:
 * an attention pattern as a raster (query rows, key columns), and every head's previous-token
 * score against its induction score. Each returns a fresh element; the client module places it.
 */
import * as Plot from '@observablehq/plot';
import { accessibleChart, plotStyle, type ChartColors } from '../kit/chart-theme';

export interface PatternOptions {
  /** Width and height of the square plot in px (with axes, the cells alone). */
  readonly size: number;
  /** Length L of the repeated half: the second copy starts at position L + 1. */
  readonly length: number;
  /** Axis ticks and the copy boundary (false for thumbnails). */
  readonly axes: boolean;
  readonly label: string;
  /** With axes: the token at each position (position 0 is <bos>), shown on both axes. */
  readonly tokens?: readonly string[];
}

/** Longest token shown whole on an axis; longer ones are cut, with the full one in a tooltip. */
const AXIS_TOKEN_CHARS = 7;

/** A token as an axis label: cut to AXIS_TOKEN_CHARS with an ellipsis when longer. */
export function axisToken(token: string): string {
  return token.length > AXIS_TOKEN_CHARS ? `${token.slice(0, AXIS_TOKEN_CHARS - 1)}…` : token;
}

/**
 * One head's attention pattern [q, q] (row = query position, column = key position), shaded from
 * the page background (no attention) to the accent colour (all of it), on a square-root scale.
 * With axes, both axes name the tokens (cut when long; each label's tooltip gives the whole token
 * and its position), pointing at a cell gives both tokens and the weight, and dashed lines mark
 * where the second copy starts.
 */
export function patternChart(
  pattern: Float32Array,
  q: number,
  colors: ChartColors,
  options: PatternOptions,
): Element {
  const tokens = options.tokens;
  const named = options.axes && tokens !== undefined && tokens.length === q;
  const tokenAt = (p: number) => (named ? tokens[p]! : String(p));
  const marginLeft = options.axes ? (named ? 60 : 36) : 1;
  const marginBottom = options.axes ? (named ? 64 : 36) : 1;
  const marginTop = options.axes ? 22 : 1;
  const marginRight = options.axes ? 8 : 1;
  const boundary = options.length + 0.5;
  const positions = Array.from({ length: q }, (_, p) => p);
  const axis = (label: string) =>
    named
      ? { label, ticks: positions, tickFormat: (p: number) => axisToken(tokenAt(p)), tickSize: 2 }
      : { label, ticks: 5 };
  const cells = named ? positions.flatMap((query) => positions.map((key) => ({ query, key }))) : [];
  const chart = Plot.plot({
    width: options.size + marginLeft + marginRight,
    height: options.size + marginTop + marginBottom,
    marginLeft,
    marginBottom,
    marginTop,
    marginRight,
    style: plotStyle(colors, '11px'),
    x: options.axes
      ? {
          domain: [-0.5, q - 0.5],
          ...axis(named ? 'key: the token attended to →' : 'key position →'),
          ...(named ? { tickRotate: -90 } : {}),
        }
      : { domain: [-0.5, q - 0.5], axis: null },
    y: options.axes
      ? {
          domain: [q - 0.5, -0.5],
          ...axis(named ? '↓ query: the token attending' : '↓ query position'),
        }
      : { domain: [q - 0.5, -0.5], axis: null },
    // Square-root scale: weak attention (a stripe spread over a few keys) stays visible.
    color: {
      type: 'sqrt',
      domain: [0, 1],
      range: [colors.background, colors.accent],
      interpolate: 'rgb',
    },
    marks: [
      Plot.raster(pattern, {
        width: q,
        height: q,
        x1: -0.5,
        y1: -0.5,
        x2: q - 0.5,
        y2: q - 0.5,
        fill: (v: number) => v,
        imageRendering: 'pixelated',
      }),
      ...(options.axes
        ? [
            Plot.ruleX([boundary], { stroke: colors.muted, strokeDasharray: '3 3' }),
            Plot.ruleY([boundary], { stroke: colors.muted, strokeDasharray: '3 3' }),
          ]
        : []),
      ...(named
        ? [
            Plot.tip(
              cells,
              Plot.pointer({
                fill: colors.background,
                stroke: colors.hairline,
                x: 'key',
                y: 'query',
                title: (c: { query: number; key: number }) =>
                  `${tokenAt(c.query)} (position ${c.query}) → ${tokenAt(c.key)} (position ${c.key})\n` +
                  `attention weight ${pattern[c.query * q + c.key]!.toFixed(2)}`,
              }),
            ),
          ]
        : []),
      Plot.frame({ stroke: colors.hairline }),
    ],
  });
  if (named) titleTicks(chart, tokenAt);
  return accessibleChart(chart, options.label);
}

/**
 * Gives every tick label of both axes a tooltip (an SVG <title>) with the whole token and its
 * position; the labels are drawn in position order, one per position.
 */
function titleTicks(chart: Element, tokenAt: (position: number) => string): void {
  for (const axis of ['x', 'y'])
    chart
      .querySelectorAll(`g[aria-label="${axis}-axis tick label"] text`)
      .forEach((text, position) => {
        const title = document.createElementNS('http://www.w3.org/2000/svg', 'title');
        title.textContent = `${tokenAt(position)} (position ${position})`;
        text.append(title);
        text.setAttribute('data-axis', axis);
        text.setAttribute('data-position', String(position));
      });
}

export interface HeadPoint {
  readonly name: string;
  readonly layer: number;
  readonly previousToken: number;
  readonly induction: number;
  /** 'previous-token', 'induction' or '' */
  readonly role: string;
}

/** Every head as a dot: previous-token score across, induction score up; the two named heads labelled. */
export function scoreChart(points: readonly HeadPoint[], colors: ChartColors): Element {
  const fill = (p: HeadPoint) =>
    p.role === 'induction' ? colors.red : p.role === 'previous-token' ? colors.blue : colors.muted;
  return accessibleChart(
    Plot.plot({
      width: 320,
      height: 300,
      marginLeft: 44,
      marginBottom: 40,
      style: plotStyle(colors, '11px'),
      x: { domain: [0, 1], label: 'previous-token score →', grid: true },
      y: { domain: [0, 1], label: '↑ induction score', grid: true },
      marks: [
        Plot.dot(points, {
          x: 'previousToken',
          y: 'induction',
          r: 5,
          fill,
          stroke: colors.background,
          symbol: (p: HeadPoint) => (p.layer === 0 ? 'circle' : 'square'),
          title: (p: HeadPoint) =>
            `head ${p.name}: previous-token ${p.previousToken.toFixed(2)}, induction ${p.induction.toFixed(2)}`,
        }),
        Plot.text(
          points.filter((p) => p.role !== ''),
          {
            x: 'previousToken',
            y: 'induction',
            text: (p: HeadPoint) =>
              `${p.name} ${p.role === 'induction' ? 'induction' : 'prev-token'}`,
            dy: -12,
            fill: colors.text,
            fontWeight: 600,
          },
        ),
      ],
    }),
    'Every head placed by its previous-token score (across) and induction score (up); circles are layer 0, squares layer 1. The table lists the numbers.',
  );
}

export interface LossBar {
  readonly name: string;
  readonly loss: number;
}

/** Loss on the second copy with each head removed, beside the intact model's (a dashed rule). */
export function lossChart(
  bars: readonly LossBar[],
  baseline: number,
  colors: ChartColors,
): Element {
  const top = Math.max(baseline, ...bars.map((b) => b.loss)) * 1.15;
  return accessibleChart(
    Plot.plot({
      width: 360,
      height: 36 + bars.length * 20,
      marginLeft: 48,
      marginRight: 40,
      style: plotStyle(colors, '11px'),
      x: { domain: [0, top], label: 'loss on the second copy (nats per token) →', grid: true },
      y: { domain: bars.map((b) => b.name), label: null, tickSize: 0 },
      marks: [
        Plot.barX(bars, { x: 'loss', y: 'name', fill: colors.accent, inset: 2 }),
        Plot.text(bars, {
          x: 'loss',
          y: 'name',
          text: (b: LossBar) => b.loss.toFixed(2),
          textAnchor: 'start',
          dx: 4,
          fill: colors.text,
        }),
        Plot.ruleX([baseline], { stroke: colors.red, strokeDasharray: '4 3', strokeWidth: 1.5 }),
      ],
    }),
    'Loss on the second copy with each head mean-ablated; the dashed line is the loss with every head in place. The table lists the numbers.',
  );
}
