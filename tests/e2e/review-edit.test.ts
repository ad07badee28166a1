// Personal edits (key E): the reader's wording is stored and shown, kept when the deck's wording
// changes underneath (and flagged), refused when empty, revertible, and undoable.
import { describe, expect, it } from 'vitest';
import { newProfile } from './support/browser';
import {
  introduceNewInListOrder,
  putRow,
  reviewReady,
  shownCardId,
  storedRows,
} from './support/review';
import { servedSiteAndBrowser } from './support/served';

const served = servedSiteAndBrowser();

interface Row {
  id: string;
  front: string;
  back: string;
  hash: string;
  edit?: { front: string; back: string; baseHash: string; editedAt: number };
}

describe('editing a card for yourself', () => {
  it('is shown, survives a deck update (flagged), refuses empty text, reverts and undoes', async () => {
    const context = await newProfile(served.browser, { serviceWorkers: 'block' });
    const page = await context.newPage();
    await page.goto(new URL('/review/', served.site.url).href);
    await reviewReady(page);
    await introduceNewInListOrder(page);
    const id = await shownCardId(page);
    const row = async () => (await storedRows<Row>(page, 'cards')).find((card) => card.id === id)!;
    const deckWording = await row();
    const dialog = page.locator('[data-edit-dialog]');

    await page.keyboard.press('e');
    await dialog.getByLabel('Question').fill('');
    await dialog.getByRole('button', { name: 'Save' }).click();
    expect(await dialog.locator('[data-edit-error]').textContent()).toMatch(/^Not saved/);
    expect(await row()).toEqual(deckWording);

    await dialog.getByLabel('Question').fill('What is my own question?');
    await dialog.getByLabel('Answer').fill('My own answer.');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.locator('[data-edited]:not([hidden])').waitFor();
    expect(await page.locator('[data-front]').textContent()).toBe('What is my own question?');
    expect((await row()).edit).toMatchObject({
      front: 'What is my own question?',
      back: 'My own answer.',
      baseHash: deckWording.hash,
    });

    // As if the edit had been made on an older wording: the next visit's sync brings the deck's.
    const edited = await row();
    await putRow(page, 'cards', {
      ...edited,
      front: 'An older wording?',
      hash: 'older-wording',
      edit: { ...edited.edit, baseHash: 'older-wording' },
    });
    // The stored deck was an older version, so the next visit syncs the published one.
    // (The key is src/storage/sync.ts's.)
    await putRow(page, 'meta', { key: 'deckVersion', value: 'an-older-deck' });
    await page.reload();
    await reviewReady(page);
    const synced = await row();
    expect(synced.front).toBe(deckWording.front);
    expect(synced.hash).toBe(deckWording.hash);
    expect(synced.edit?.front).toBe('What is my own question?');
    expect(await shownCardId(page)).toBe(id);
    expect(await page.locator('[data-front]').textContent()).toBe('What is my own question?');
    expect(await page.locator('[data-original-changed]').isVisible()).toBe(true);

    await page.keyboard.press('e');
    await dialog.getByRole('button', { name: "Use the deck's wording" }).click();
    await page.locator('[data-edited][hidden]').waitFor({ state: 'attached' });
    expect('edit' in (await row())).toBe(false);
    expect(await page.locator('[data-front]').innerText()).not.toBe('What is my own question?');

    await page.keyboard.press('u');
    await page.locator('[data-edited]:not([hidden])').waitFor();
    expect((await row()).edit?.front).toBe('What is my own question?');
    await context.close();
  });
});
