/**
 * <residual-anki-export>: writes the deck (and, if chosen, the review history) as an Anki package.
 * sql.js and its WebAssembly, and the package writer (with its zip library, whose set-up alone
 * held a slow phone for a tenth of a second), load only when the button is pressed.
 */
import sqlWasmUrl from 'sql.js/dist/sql-wasm-browser.wasm?url';
import { describeStorageError } from '../../storage/errors';
import { openDatabase } from '../../storage/open';
import type { ResidualDb } from '../../storage/db';

function required<T extends HTMLElement = HTMLElement>(root: ParentNode, selector: string): T {
  const element = root.querySelector<T>(selector);
  if (!element) throw new Error(`Anki export is missing ${selector}`);
  return element;
}

export class AnkiExportElement extends HTMLElement {
  private db: ResidualDb | null = null;

  connectedCallback(): void {
    required(this, '[data-action="export-anki"]').addEventListener(
      'click',
      () => void this.export(),
    );
    void this.open();
  }

  private async open(): Promise<void> {
    try {
      this.db = await openDatabase();
      required<HTMLButtonElement>(this, '[data-action="export-anki"]').disabled = false;
      this.dataset['ready'] = 'true';
    } catch (error) {
      this.report(describeStorageError(error), true);
    }
  }

  private report(message: string, problem = false): void {
    required(this, '[data-status]').textContent = problem ? '' : message;
    required(this, '[data-error]').textContent = problem ? message : '';
  }

  private async export(): Promise<void> {
    if (!this.db) return;
    const button = required<HTMLButtonElement>(this, '[data-action="export-anki"]');
    const withHistory = required<HTMLInputElement>(this, '[data-include-history]').checked;
    button.disabled = true;
    this.report('Writing the Anki package…');
    try {
      const titles = JSON.parse(required(this, '[data-titles]').textContent ?? '{}') as Record<
        string,
        string
      >;
      const [{ default: initSqlJs }, { ankiFileName, buildAnkiPackage }] = await Promise.all([
        import('sql.js'),
        import('../../storage/anki-package'),
      ]);
      const sql = await initSqlJs({ locateFile: () => sqlWasmUrl });
      const db = this.db;
      const [cards, log] = await db.transaction('r', db.cards, db.log, () =>
        Promise.all([db.cards.toArray(), withHistory ? db.log.toArray() : undefined]),
      );
      if (cards.length === 0) {
        this.report(
          'There are no cards in this browser yet: open the review page once first.',
          true,
        );
        return;
      }
      const now = Date.now();
      const bytes = await buildAnkiPackage(sql, {
        cards,
        ...(log ? { log } : {}),
        titles,
        origin: location.origin,
        now,
      });
      const link = document.createElement('a');
      link.href = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
      link.download = ankiFileName(now);
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
      const live = cards.filter((card) => !card.retired).length;
      this.report(
        `Exported ${live} cards${log ? ` and ${log.length} reviews` : ''} to ${link.download}. In Anki: File → Import.`,
      );
    } catch (error) {
      this.report(`Not exported: ${describeStorageError(error)}`, true);
    } finally {
      button.disabled = false;
    }
  }
}
