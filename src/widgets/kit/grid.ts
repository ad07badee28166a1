/**
 * A labelled grid of scores (layer × position, layer × head, …): what the heatmaps draw and the
 * tables list. No DOM.
 */

/** Scores on a labelled grid, row-major: values[r * columns.length + c]. */
export interface Grid {
  readonly rows: readonly string[];
  readonly columns: readonly string[];
  readonly values: Float32Array;
}

/** One grid cell as the chart library wants it. */
export interface GridCell {
  readonly row: string;
  readonly column: string;
  readonly value: number;
  readonly rowIndex: number;
  readonly columnIndex: number;
}

/** Every cell of the grid, row by row, as the chart library wants them. */
export function gridCells(grid: Grid): GridCell[] {
  return Array.from(grid.values, (value, k) => {
    const rowIndex = Math.floor(k / grid.columns.length);
    const columnIndex = k % grid.columns.length;
    return {
      row: grid.rows[rowIndex]!,
      column: grid.columns[columnIndex]!,
      value,
      rowIndex,
      columnIndex,
    };
  });
}
