/**
 * What the notebook tests share: the nbformat schema (vendored, see tests/fixtures/nbformat/),
 * Python's own compiler on every code cell, and reading the EXPERIMENT dict back with Python.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import type { Notebook } from '../../src/notebook/nbformat';

const PYTHON = '/usr/bin/python3';

const schema = JSON.parse(
  readFileSync(new URL('../fixtures/nbformat/nbformat.v4.5.schema.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;
// Draft-04's keywords, as this schema uses them, mean the same to Ajv's default draft.
delete schema['$schema'];
const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);

/** nbformat's schema errors for `notebook` (JSON round trip first, as a file would be read). */
export function schemaErrors(notebook: Notebook): string[] {
  const ok = validate(JSON.parse(JSON.stringify(notebook)));
  return ok ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

/** The code cells' text, in order. */
export function codeCells(notebook: Notebook): string[] {
  return notebook.cells.filter((c) => c.cell_type === 'code').map((c) => c.source.join(''));
}

/**
 * Compiles every source with one `python3 -m py_compile` over temp files (nothing is executed);
 * returns Python's messages, empty when all compile.
 */
export function pythonCompileErrors(sources: readonly string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'residual-notebook-'));
  try {
    const files = sources.map((source, i) => {
      const file = join(dir, `cell_${i + 1}.py`);
      writeFileSync(file, source);
      return file;
    });
    execFileSync(PYTHON, ['-m', 'py_compile', ...files], { stdio: 'pipe' });
    return [];
  } catch (error) {
    return [(error as { stderr?: Buffer }).stderr?.toString() || String(error)];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the settings cell (a literal, nothing else) in Python and returns EXPERIMENT as JSON. */
export function experimentFromNotebook(notebook: Notebook): unknown {
  const cell = codeCells(notebook).find((source) => /^EXPERIMENT = /m.test(source));
  if (!cell) throw new Error('no EXPERIMENT cell');
  const script = `${cell}\nimport json, sys\nsys.stdout.write(json.dumps(EXPERIMENT))\n`;
  return JSON.parse(execFileSync(PYTHON, ['-c', script], { encoding: 'utf8' }));
}
