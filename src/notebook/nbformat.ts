/**
 * The smallest part of nbformat 4 that a generated notebook needs: markdown and code cells, no
 * outputs (nothing has run yet), a Python 3 kernel. Pure: builds plain JSON, no DOM.
 * The schema it must satisfy is nbformat's own (tests/fixtures/nbformat/nbformat.v4.5.schema.json).
 */

export interface MarkdownCell {
  readonly cell_type: 'markdown';
  readonly id: string;
  readonly metadata: Record<string, never>;
  readonly source: string[];
}

export interface CodeCell {
  readonly cell_type: 'code';
  readonly id: string;
  readonly metadata: Record<string, never>;
  readonly source: string[];
  readonly execution_count: null;
  readonly outputs: [];
}

export type Cell = MarkdownCell | CodeCell;

/** A cell before it is numbered: its kind and text. */
export interface CellDraft {
  readonly kind: 'markdown' | 'code';
  readonly text: string;
}

export interface Notebook {
  readonly nbformat: 4;
  readonly nbformat_minor: 5;
  readonly metadata: {
    readonly kernelspec: {
      readonly name: 'python3';
      readonly display_name: 'Python 3';
      readonly language: 'python';
    };
    readonly language_info: { readonly name: 'python' };
    readonly residual: Readonly<Record<string, string>>;
  };
  readonly cells: Cell[];
}

export const markdown = (text: string): CellDraft => ({ kind: 'markdown', text });
export const code = (text: string): CellDraft => ({ kind: 'code', text });

/** nbformat stores a cell's text as lines that keep their newline (all but the last). */
function sourceLines(text: string): string[] {
  const trimmed = text.replace(/^\n+|\s+$/g, '');
  const lines = trimmed.split('\n');
  return lines.map((line, i) => (i < lines.length - 1 ? `${line}\n` : line));
}

/**
 * A notebook of `drafts`, in order. Cell ids (required from nbformat 4.5) are `cell-<n>`, stable,
 * so the same experiment always gives the same file. `about` lands in the notebook's metadata.
 */
export function buildNotebook(
  drafts: readonly CellDraft[],
  about: Record<string, string>,
): Notebook {
  const cells = drafts.map((draft, i): Cell => {
    const base = { id: `cell-${i + 1}`, metadata: {}, source: sourceLines(draft.text) };
    return draft.kind === 'markdown'
      ? { cell_type: 'markdown', ...base }
      : { cell_type: 'code', ...base, execution_count: null, outputs: [] };
  });
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {
      kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' },
      language_info: { name: 'python' },
      residual: about,
    },
    cells,
  };
}

/** The notebook as the text of an .ipynb file (indented like Jupyter writes it). */
export function notebookText(notebook: Notebook): string {
  return `${JSON.stringify(notebook, null, 1)}\n`;
}
