/**
 * The settings' workload table: answers a day at a few retentions around the chosen one, for the
 * reader's own deck, simulated in a worker once the page is ready (it takes a few hundred ms).
 */
import type { Settings } from '../../srs/settings';
import { nearbyRetentions, type WorkloadRequest, type WorkloadResult } from '../../srs/workload';
import type { ResidualDb } from '../../storage/db';
import { loadWorkloadDeck } from '../../storage/workload';

let running: Worker | null = null;

/** Estimate and show the workload in `box` ([data-workload]); a newer call replaces an older one. */
export async function showWorkload(
  box: HTMLElement,
  db: ResidualDb,
  settings: Settings,
): Promise<void> {
  const status = box.querySelector<HTMLElement>('[data-workload-status]')!;
  const table = box.querySelector<HTMLTableElement>('[data-workload-table]')!;
  const deck = await loadWorkloadDeck(db, settings);
  if (deck.studied.length === 0 && deck.newCards === 0) {
    table.hidden = true;
    status.textContent =
      'No workload to estimate yet: no card studied, and none waiting in papers you have read.';
    return;
  }
  status.textContent = 'Estimating the workload for your deck\u2026';
  running?.terminate();
  const worker = new Worker(new URL('./workload.worker.ts', import.meta.url), { type: 'module' });
  running = worker;
  const request: WorkloadRequest = {
    deck,
    settings,
    retentions: nearbyRetentions(settings.desiredRetention),
    now: Date.now(),
  };
  const result = await new Promise<WorkloadResult | null>((resolve) => {
    worker.addEventListener('message', (event: MessageEvent<WorkloadResult>) =>
      resolve(event.data),
    );
    worker.addEventListener('error', () => resolve(null));
    worker.postMessage(request);
  });
  worker.terminate();
  if (running !== worker) return;
  running = null;
  if (!result) {
    status.textContent = 'The workload estimate could not run in this browser.';
    return;
  }
  const body = table.tBodies[0]!;
  body.replaceChildren(
    ...result.figures.map(({ retention, answersPerDay }) => {
      const row = document.createElement('tr');
      const chosen = retention === settings.desiredRetention;
      if (chosen) row.dataset['chosen'] = 'true';
      const rate = document.createElement('th');
      rate.scope = 'row';
      rate.textContent = `${retention.toFixed(2)}${chosen ? ' (yours)' : ''}`;
      const perDay = document.createElement('td');
      perDay.textContent = answersPerDay.toFixed(1);
      const perMonth = document.createElement('td');
      perMonth.textContent = String(Math.round(answersPerDay * 30));
      row.append(rate, perDay, perMonth);
      return row;
    }),
  );
  table.hidden = false;
  box.dataset['elapsedMs'] = String(Math.round(result.elapsedMs));
  status.textContent = `For ${deck.studied.length} studied and ${deck.newCards} new cards, over the next year, at ${settings.newPerDay} new a day. An estimate: one sitting a day, each card recalled as FSRS predicts.`;
}
