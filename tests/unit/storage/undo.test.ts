import { describe, expect, test } from 'vitest';
import { createScheduler } from '../../../src/srs/scheduler';
import { DEFAULT_SETTINGS } from '../../../src/srs/settings';
import { CardState } from '../../../src/srs/types';
import { buryCard, recordReview, suspendCard } from '../../../src/storage/reviews';
import {
  exportBackup,
  importBackup,
  parseBackup,
  serializeBackup,
} from '../../../src/storage/backup';
import {
  TabUndoStack,
  editCard,
  forgetCard,
  undoStep,
  unburyCard,
  withUndo,
} from '../../../src/storage/undo';
import { reviewCard, storedCard } from '../srs/helpers';
import { freshDb } from './helpers';

const NOW = Date.parse('2026-06-10T15:00:00Z');
const TOMORROW = NOW + 86_400_000;
const scheduler = createScheduler(DEFAULT_SETTINGS);

async function seeded() {
  const { db, factory } = freshDb();
  await db.cards.bulkPut([reviewCard('a/one', NOW - 86_400_000), storedCard('b/new')]);
  return { db, factory };
}

describe('undoing any operation, in order', () => {
  test('answer, bury, suspend, forget: four undos restore every stored row exactly', async () => {
    const { db } = await seeded();
    const original = await db.cards.toArray();
    const stack = new TabUndoStack();
    const rev = async () => (await db.cards.get('a/one'))!.rev;
    stack.push(
      await withUndo(db, 'a/one', 'answer', () =>
        recordReview(db, { cardId: 'a/one', expectedRev: 0, grade: 3, now: NOW }, scheduler),
      ),
    );
    stack.push(
      await withUndo(db, 'b/new', 'bury', async () => ({
        card: await buryCard(db, 'b/new', 0, TOMORROW),
      })),
    );
    stack.push(
      await withUndo(db, 'a/one', 'suspend', async () => ({
        card: await suspendCard(db, 'a/one', await rev()),
      })),
    );
    stack.push(
      await withUndo(db, 'a/one', 'forget', async () => ({
        card: await forgetCard(db, 'a/one', await rev(), NOW),
      })),
    );
    expect((await db.cards.get('a/one'))!.state).toBe(CardState.New);
    expect(stack.size).toBe(4);
    const undone: string[] = [];
    while (stack.size > 0) {
      const step = stack.pop()!;
      expect(await undoStep(db, step)).toMatchObject({ undone: true });
      undone.push(step.operation);
    }
    expect(undone).toEqual(['forget', 'suspend', 'bury', 'answer']);
    expect(await db.cards.toArray()).toEqual(original);
    expect(await db.log.count()).toBe(0);
    expect(await db.undo.count()).toBe(0);
  });

  test('bury then undo takes back the bury, not the answer before it', async () => {
    const { db } = await seeded();
    const stack = new TabUndoStack();
    stack.push(
      await withUndo(db, 'a/one', 'answer', () =>
        recordReview(db, { cardId: 'a/one', expectedRev: 0, grade: 3, now: NOW }, scheduler),
      ),
    );
    const answered = await db.cards.get('a/one');
    stack.push(
      await withUndo(db, 'b/new', 'bury', async () => ({
        card: await buryCard(db, 'b/new', 0, TOMORROW),
      })),
    );
    await undoStep(db, stack.pop()!);
    expect((await db.cards.get('b/new'))!.queue).toBe('new');
    expect(await db.cards.get('a/one')).toEqual(answered);
    expect(await db.log.count()).toBe(1);
  });

  test('a card another tab changed since is refused, and nothing changes', async () => {
    const { db, factory } = await seeded();
    const { db: otherTab } = freshDb({ factory });
    const step = await withUndo(db, 'b/new', 'bury', async () => ({
      card: await buryCard(db, 'b/new', 0, TOMORROW),
    }));
    const unburied = await unburyCard(otherTab, 'b/new', null);
    expect(await undoStep(db, step)).toEqual({ undone: false, reason: 'changed-since' });
    expect(await db.cards.get('b/new')).toEqual(unburied);
  });

  test('the stack keeps only its most recent steps', () => {
    const stack = new TabUndoStack(2);
    const step = (cardId: string) => ({
      operation: 'bury' as const,
      cardId,
      before: storedCard(cardId),
      afterRev: 1,
      logId: null,
    });
    stack.push(step('x'));
    stack.push(step('y'));
    stack.push(step('z'));
    expect(stack.size).toBe(2);
    expect(stack.pop()!.cardId).toBe('z');
    expect(stack.peek()!.cardId).toBe('y');
  });
});

describe('personal edits', () => {
  test('survive a backup round trip and are accepted by the backup check', async () => {
    const { db } = await seeded();
    await editCard(db, 'a/one', 0, { front: 'My question?', back: 'My answer.' }, NOW);
    const text = serializeBackup(await exportBackup(db, NOW + 1000));
    const { db: other } = freshDb();
    await importBackup(other, parseBackup(text));
    expect((await other.cards.get('a/one'))!.edit).toEqual({
      front: 'My question?',
      back: 'My answer.',
      editedAt: NOW,
      baseHash: (await db.cards.get('a/one'))!.hash,
    });
  });

  test('text with markup is refused and nothing changes', async () => {
    const { db } = await seeded();
    const before = await db.cards.get('a/one');
    await expect(
      editCard(db, 'a/one', 0, { front: '<script>x</script>?', back: 'b' }, NOW),
    ).rejects.toThrow(/plain text/);
    expect(await db.cards.get('a/one')).toEqual(before);
  });

  test('reverting removes the edit from the row', async () => {
    const { db } = await seeded();
    await editCard(db, 'a/one', 0, { front: 'Q?', back: 'A.' }, NOW);
    const reverted = await editCard(db, 'a/one', 1, null, NOW);
    expect('edit' in reverted).toBe(false);
    expect('edit' in (await db.cards.get('a/one'))!).toBe(false);
  });
});
