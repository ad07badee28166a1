/**
 * <residual-backup>: export everything to a JSON file; import a file after checking all of it and
 * asking for confirmation. Text from a file is only ever shown with textContent.
 */
import { deckSchema } from '../../srs/schemas';
import {
  BackupError,
  MAX_BACKUP_BYTES,
  backupFileName,
  describeLeftOut,
  describeRefusal,
  exportBackupChecked,
  importBackup,
  parseBackup,
  serializeBackup,
  summarize,
  type BackupFile,
} from '../../storage/backup';
import { MergeClashError } from '../../storage/merge-collections';
import { describeStorageError } from '../../storage/errors';
import { mergeBackup } from '../../storage/merge';
import { describeImportPlan, planImport } from '../../storage/import-plan';
import { openDatabase } from '../../storage/open';
import { syncDeck } from '../../storage/sync';
import type { ResidualDb } from '../../storage/db';
import { withBase } from '../../content/base';
import { PLAN_LABELS } from '../../progress/plans';
import { choosePlan, chosenPlan } from '../progress/plan-choice';

function required<T extends HTMLElement = HTMLElement>(root: ParentNode, selector: string): T {
  const element = root.querySelector<T>(selector);
  if (!element) throw new Error(`backup panel is missing ${selector}`);
  return element;
}

export class BackupPanelElement extends HTMLElement {
  private db: ResidualDb | null = null;
  private pending: BackupFile | null = null;

  connectedCallback(): void {
    required(this, '[data-action="export"]').addEventListener('click', () => void this.export());
    required<HTMLInputElement>(this, '[data-import-file]').addEventListener(
      'change',
      (event) => void this.check(event.target as HTMLInputElement),
    );
    required(this, '[data-action="confirm-import"]').addEventListener(
      'click',
      () => void this.apply(),
    );
    required(this, '[data-action="confirm-merge"]').addEventListener(
      'click',
      () => void this.merge(),
    );
    required(this, '[data-action="cancel-import"]').addEventListener('click', () =>
      this.cancel('Import cancelled; nothing was changed.'),
    );
    void this.open();
  }

  private async open(): Promise<void> {
    try {
      this.db = await openDatabase({
        onBlocked: () => this.report(describeStorageError({ name: 'BlockedError' }), true),
      });
      this.report('');
      for (const control of this.querySelectorAll<HTMLButtonElement | HTMLInputElement>(
        'button, input',
      )) {
        control.disabled = false;
      }
      this.dataset['ready'] = 'true';
    } catch (error) {
      this.report(describeStorageError(error), true);
    }
  }

  private report(message: string, problem = false): void {
    required(this, '[data-backup-status]').textContent = problem ? '' : message;
    required(this, '[data-backup-error]').textContent = problem ? message : '';
  }

  private async export(): Promise<void> {
    if (!this.db) return;
    const button = required<HTMLButtonElement>(this, '[data-action="export"]');
    button.disabled = true;
    this.report('Preparing the backup file…');
    try {
      const now = Date.now();
      const { file, leftOut } = await exportBackupChecked(this.db, now, {
        readingPlan: chosenPlan(),
      });
      const blob = new Blob([serializeBackup(file)], { type: 'application/json' });
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = backupFileName(now);
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
      const { cards, reviews } = summarize(file);
      this.report(
        `Exported ${cards} cards and ${reviews} reviews to ${link.download}.${describeLeftOut(leftOut)}`,
      );
      // Rows the export set aside appear in the statistics' damaged-records list at once.
      if (leftOut.cards + leftOut.reviews + leftOut.progress > 0) {
        document.dispatchEvent(new CustomEvent('residual-data-changed'));
      }
    } catch (error) {
      this.report(describeStorageError(error), true);
    } finally {
      button.disabled = false;
    }
  }

  /** Read and validate the chosen file; nothing is written until the user confirms. */
  private async check(input: HTMLInputElement): Promise<void> {
    const chosen = input.files?.[0];
    this.cancel('');
    if (!chosen || !this.db) return;
    const db = this.db;
    if (chosen.size > MAX_BACKUP_BYTES) {
      this.report(`Not imported: "${chosen.name}" is too large to be a Residual backup.`, true);
      return;
    }
    let plan: string[];
    try {
      this.pending = parseBackup(await chosen.text());
      plan = describeImportPlan(await planImport(db, this.pending));
      const readingPlan = this.pending.readingPlan;
      if (readingPlan && readingPlan !== chosenPlan()) {
        plan.push(
          `Reading plan: “${PLAN_LABELS[readingPlan]}” instead of “${PLAN_LABELS[chosenPlan()]}”.`,
        );
      }
    } catch (error) {
      const reason = error instanceof BackupError ? error.message : describeStorageError(error);
      this.pending = null;
      this.report(describeRefusal(reason), true);
      input.value = '';
      return;
    }
    const { cards, reviews, exportedAt } = summarize(this.pending);
    required(this, '[data-import-summary]').textContent =
      `"${chosen.name}" holds ${cards} cards and ${reviews} reviews, exported ${new Date(exportedAt).toLocaleString()}. ` +
      'Replacing changes this browser’s data as follows (merging instead keeps both histories, ' +
      'for a backup made on another device):';
    required(this, '[data-import-plan]').replaceChildren(
      ...plan.map((line) => {
        const item = document.createElement('li');
        item.textContent = line;
        return item;
      }),
    );
    required(this, '[data-import-confirm]').hidden = false;
    required(this, '[data-action="confirm-import"]').focus();
  }

  private cancel(message: string): void {
    this.pending = null;
    required(this, '[data-import-confirm]').hidden = true;
    if (message) {
      required<HTMLInputElement>(this, '[data-import-file]').value = '';
      this.report(message);
    }
  }

  private async apply(): Promise<void> {
    if (!this.db || !this.pending) return;
    const file = this.pending;
    this.report('Importing…');
    try {
      const { cards, reviews } = await importBackup(this.db, file);
      // The plan is this browser's preference, kept beside the database (plan-choice.ts).
      if (file.readingPlan) choosePlan(file.readingPlan);
      this.cancel(`Imported ${cards} cards and ${reviews} reviews.`);
      await this.resync();
      document.dispatchEvent(new CustomEvent('residual-data-changed'));
    } catch (error) {
      this.cancel('');
      this.report(`Not imported: ${describeStorageError(error)}`, true);
    }
  }

  /** Merge the checked file into this browser's data: all of it, or nothing if the two clash. */
  private async merge(): Promise<void> {
    if (!this.db || !this.pending) return;
    const file = this.pending;
    this.report('Merging…');
    try {
      const { cards, reviews, newReviews } = await mergeBackup(this.db, file);
      this.cancel(
        `Merged: ${newReviews} reviews from the file were new here; ${cards} cards and ${reviews} reviews in all.`,
      );
      await this.resync();
      document.dispatchEvent(new CustomEvent('residual-data-changed'));
    } catch (error) {
      this.cancel('');
      const reason = error instanceof MergeClashError ? error.message : describeStorageError(error);
      this.report(`Not merged: ${reason}. Nothing was changed.`, true);
    }
  }

  /** Bring the imported cards up to the site's current deck (new, reworded, retired cards). */
  private async resync(): Promise<void> {
    if (!this.db) return;
    try {
      const response = await fetch(this.dataset['deckUrl'] ?? withBase('deck.json'));
      const deck = deckSchema.safeParse(await response.json());
      if (deck.success) await syncDeck(this.db, deck.data, Date.now());
    } catch {
      // The next visit to the review page syncs again.
    }
  }
}
