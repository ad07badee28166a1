import { it } from 'vitest';
import { writeFileSync, mkdirSync } from 'node:fs';
import { REAL_MODELS } from '../../../src/notebook/experiment';
import { experimentNotebook, resolveTarget, notebookFileName } from '../../../src/notebook/generate';
import { notebookText } from '../../../src/notebook/nbformat';
import { WIDGET_CASES } from './cases';
it('dumps', () => {
  mkdirSync('/tmp/nb', { recursive: true });
  for (const c of WIDGET_CASES) for (const f of c.experiment.flavours) for (const m of REAL_MODELS[f]) {
    const t = resolveTarget(c.experiment, f, m.id);
    const nb = experimentNotebook(c.experiment, t);
    writeFileSync(`/tmp/nb/${notebookFileName(c.experiment, t)}`, notebookText(nb));
    writeFileSync(`/tmp/nb/${notebookFileName(c.experiment, t)}.py`, nb.cells.map((x) => (x.cell_type === 'code' ? x.source.join('') : '# ' + x.source.join('').replace(/\n/g, '\n# '))).join('\n\n# ----\n'));
  }
});
