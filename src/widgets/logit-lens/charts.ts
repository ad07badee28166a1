/**
 * The logit-lens figure, drawn with Observable Plot from plain numbers and theme colours: the
 * grid of top tokens (layer × position, shaded by probability). It returns a fresh element; the
 * client module places it.
 */
import * as Plot from '@observablehq/plot';
import { accessibleChart, isLightTheme, plotStyle, type ChartColors } from '../kit/chart-theme';
import type { LensGrid } from '../tiny-lm-experiments/lens';

/** Column labels must be unique: "0 <bos>", "1 When", … */
export const positionLabel = (token: string, position: number) => `${position} ${token}`;

/**
 * The logit lens: one row per position (the prompt reads top to bottom), one column per layer
 * (embeddings at the left, the model's output at the right); each cell names the most likely next
 * token read from the stream there, shaded from the page background (probability 0) to the
 * accent colour (probability 1).
 */
export function lensChart(grid: LensGrid, colors: ChartColors, maxWidth: number): Element {
  const rows = grid.positions.map(positionLabel);
  const cells = grid.cells.flatMap((layerCells) =>
    layerCells.map((cell) => ({
      ...cell,
      column: grid.layers[cell.layer]!,
      row: rows[cell.position]!,
    })),
  );
  const longest = Math.max(...rows.map((r) => r.length));
  const marginLeft = Math.min(140, 12 + longest * 6.5);
  const cellWidth = Math.max(
    56,
    Math.min(96, Math.floor((maxWidth - marginLeft) / grid.layers.length)),
  );
  const chars = Math.floor(cellWidth / 6.2);
  const clip = (token: string) => (token.length > chars ? `${token.slice(0, chars - 1)}…` : token);
  // Light theme: the accent is dark, so strong cells take the background colour as text. Dark
  // theme: the accent is mid-bright and the text colour reads on every shade.
  const light = isLightTheme();
  const textFill = (p: number) => (light && p > 0.5 ? colors.background : colors.text);
  return accessibleChart(
    Plot.plot({
      width: marginLeft + cellWidth * grid.layers.length,
      height: 40 + 22 * rows.length,
      marginLeft,
      marginTop: 32,
      marginBottom: 8,
      style: plotStyle(colors, '11px'),
      x: {
        domain: [...grid.layers],
        axis: 'top',
        label: null,
        tickSize: 0,
        // "after block 2" → "block 2": narrow columns; the caption says "after each block".
        tickFormat: (layer: string) => layer.replace(/^after /, ''),
      },
      y: { domain: rows, label: null, tickSize: 0 },
      color: {
        type: 'linear',
        domain: [0, 1],
        range: [colors.background, colors.accent],
        interpolate: 'rgb',
      },
      marks: [
        Plot.cell(cells, { x: 'column', y: 'row', fill: 'probability', inset: 0.5 }),
        Plot.text(cells, {
          x: 'column',
          y: 'row',
          text: (c: { token: string }) => clip(c.token),
          fill: (c: { probability: number }) => textFill(c.probability),
          fontSize: 11,
          title: (c: { token: string; probability: number; row: string; column: string }) =>
            `${c.column}, position ${c.row}: ${c.token} (${(c.probability * 100).toFixed(1)}%)`,
        }),
        Plot.frame({ stroke: colors.hairline }),
      ],
    }),
    'Logit lens grid: for each position (rows) and layer (columns), the most likely next token read from the residual stream, shaded by its probability. The table below lists the numbers.',
  );
}
