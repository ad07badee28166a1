/**
 * Export to Anki: the deck as an `.apkg`, a zip holding `collection.anki2` (an SQLite database in
 * Anki's legacy schema 11, which every Anki version imports) and an empty `media` list.
 *
 * The collection is written with sql.js (SQLite compiled to WebAssembly, so the file is made by
 * SQLite itself rather than by hand) and zipped with fflate. Layout, as Anki documents it and
 * genanki writes it: `col` holds one row whose JSON columns describe the note type ("models"),
 * the decks and the deck options; `notes` one row per card of ours, fields joined by 0x1f;
 * `cards` one Anki card per note; `revlog` one row per answer (optional), so that Anki's FSRS
 * can compute memory states from the reader's history.
 */
import { zipSync } from 'fflate';
import type { SqlJsStatic } from 'sql.js';
import { CardState, type ReviewLogEntry, type StoredCard } from '../srs/types';

export const ANKI_SCHEMA_VERSION = 11;
/** The note type's fields, in order. */
export const ANKI_FIELDS = ['Front', 'Back', 'Paper', 'Chapter', 'Link'] as const;
const FIELD_SEPARATOR = '\x1f';
const MS_PER_DAY = 86_400_000;

/** Anki's review kinds (revlog.type). */
export const RevlogKind = { Learning: 0, Review: 1, Relearning: 2 } as const;

export interface AnkiExportInput {
  cards: readonly StoredCard[];
  /** The reader's answers; omit to export the deck alone (every card new). */
  log?: readonly ReviewLogEntry[];
  /** Display titles of papers and chapters, by id and slug. */
  titles: Readonly<Record<string, string>>;
  /** The site's origin, for the link back to each card's paragraph. */
  origin: string;
  now: number;
  deckName?: string;
}

const SCHEMA = `
CREATE TABLE col (id integer primary key, crt integer not null, mod integer not null,
  scm integer not null, ver integer not null, dty integer not null, usn integer not null,
  ls integer not null, conf text not null, models text not null, decks text not null,
  dconf text not null, tags text not null);
CREATE TABLE notes (id integer primary key, guid text not null, mid integer not null,
  mod integer not null, usn integer not null, tags text not null, flds text not null,
  sfld integer not null, csum integer not null, flags integer not null, data text not null);
CREATE TABLE cards (id integer primary key, nid integer not null, did integer not null,
  ord integer not null, mod integer not null, usn integer not null, type integer not null,
  queue integer not null, due integer not null, ivl integer not null, factor integer not null,
  reps integer not null, lapses integer not null, left integer not null, odue integer not null,
  odid integer not null, flags integer not null, data text not null);
CREATE TABLE revlog (id integer primary key, cid integer not null, usn integer not null,
  ease integer not null, ivl integer not null, lastIvl integer not null, factor integer not null,
  time integer not null, type integer not null);
CREATE TABLE graves (usn integer not null, oid integer not null, type integer not null);
CREATE INDEX ix_notes_usn on notes (usn);
CREATE INDEX ix_cards_usn on cards (usn);
CREATE INDEX ix_revlog_usn on revlog (usn);
CREATE INDEX ix_cards_nid on cards (nid);
CREATE INDEX ix_cards_sched on cards (did, queue, due);
CREATE INDEX ix_revlog_cid on revlog (cid);
CREATE INDEX ix_notes_csum on notes (csum);
`;

/** Card text is plain text; Anki fields are HTML. */
function html(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '<br>');
}

/** Anki's note checksum: the first 8 hex digits of the SHA-1 of the sort field, as a number. */
async function checksum(text: string): Promise<number> {
  const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(text));
  const bytes = new Uint8Array(digest);
  return ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
}

function noteType(modelId: number, deckId: number, nowSeconds: number) {
  const link = '<p class="residual-link"><a href="{{Link}}">Read it in Residual</a></p>';
  return {
    id: modelId,
    name: 'Residual card',
    type: 0,
    mod: nowSeconds,
    usn: -1,
    sortf: 0,
    did: deckId,
    tmpls: [
      {
        name: 'Card 1',
        ord: 0,
        qfmt: '{{Front}}',
        afmt: `{{FrontSide}}<hr id="answer">{{Back}}<p class="residual-source">{{Paper}} · {{Chapter}}</p>${link}`,
        bqfmt: '',
        bafmt: '',
        did: null,
        bfont: '',
        bsize: 0,
      },
    ],
    flds: ANKI_FIELDS.map((name, ord) => ({
      name,
      ord,
      sticky: false,
      rtl: false,
      font: 'Arial',
      size: 20,
      media: [],
    })),
    css: '.card { font-family: system-ui, sans-serif; font-size: 20px; text-align: left; }\n.residual-source, .residual-link { font-size: 0.8em; opacity: 0.8; }',
    latexPre:
      '\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n\\usepackage[utf8]{inputenc}\n\\usepackage{amssymb,amsmath}\n\\pagestyle{empty}\n\\setlength{\\parindent}{0in}\n\\begin{document}\n',
    latexPost: '\\end{document}',
    latexsvg: false,
    req: [[0, 'any', [0]]],
    tags: [],
    vers: [],
  };
}

function deck(id: number, name: string, nowSeconds: number, conf: number) {
  return {
    id,
    name,
    desc: '',
    mod: nowSeconds,
    usn: -1,
    collapsed: false,
    dyn: 0,
    conf,
    extendNew: 10,
    extendRev: 50,
    newToday: [0, 0],
    revToday: [0, 0],
    lrnToday: [0, 0],
    timeToday: [0, 0],
  };
}

const DECK_OPTIONS = {
  id: 1,
  name: 'Default',
  mod: 0,
  usn: 0,
  maxTaken: 60,
  autoplay: true,
  timer: 0,
  replayq: true,
  dyn: false,
  new: { delays: [1, 10], ints: [1, 4, 7], initialFactor: 2500, order: 1, perDay: 20, bury: false },
  rev: { perDay: 200, ease4: 1.3, ivlFct: 1, maxIvl: 36500, bury: false, hardFactor: 1.2 },
  lapse: { delays: [10], mult: 0, minInt: 1, leechFails: 8, leechAction: 1 },
};

/** Where a card of ours sits in Anki's scheduler: card type, queue, due and interval. */
function ankiSchedule(card: StoredCard, collectionStart: number) {
  let type = 0;
  let queue = 0;
  let due = card.position;
  let ivl = 0;
  if (card.state === CardState.Review) {
    type = 2;
    queue = 2;
    due = Math.max(0, Math.round((card.due - collectionStart) / MS_PER_DAY));
    ivl = card.scheduledDays;
  } else if (card.state !== CardState.New) {
    type = card.state === CardState.Learning ? 1 : 3;
    queue = 1;
    due = Math.round(card.due / 1000);
  }
  if (card.suspended) queue = -1;
  else if (card.buriedUntil > 0) queue = -2;
  return { type, queue, due, ivl };
}

/** The revlog row of one answer; `next` is the card's next answer, if any. */
function revlogRow(row: ReviewLogEntry, next: ReviewLogEntry | undefined, card: StoredCard) {
  const type =
    row.state === CardState.Review
      ? RevlogKind.Review
      : row.state === CardState.Relearning
        ? RevlogKind.Relearning
        : RevlogKind.Learning;
  // The interval this answer gave: the next answer records it as "scheduled before"; for the last
  // answer, it is the card's current one. Under a day, Anki stores minus the seconds.
  const days = next ? next.scheduledDays : card.scheduledDays;
  const until = next ? next.review : card.due;
  const ivl = days > 0 ? days : -Math.max(60, Math.round((until - row.review) / 1000));
  return { type, ivl, lastIvl: row.scheduledDays };
}

/** The `.apkg` file's bytes. */
export async function buildAnkiPackage(
  sql: SqlJsStatic,
  input: AnkiExportInput,
): Promise<Uint8Array<ArrayBuffer>> {
  const cards = input.cards.filter((card) => !card.retired);
  const nowSeconds = Math.floor(input.now / 1000);
  const collectionStart = input.now - (input.now % MS_PER_DAY);
  const modelId = input.now;
  const deckId = input.now + 1;
  const deckName = input.deckName ?? 'Residual';
  const db = new sql.Database();
  try {
    db.run(SCHEMA);
    db.run('INSERT INTO col VALUES (1, ?, ?, ?, ?, 0, 0, 0, ?, ?, ?, ?, ?)', [
      Math.floor(collectionStart / 1000),
      input.now,
      input.now,
      ANKI_SCHEMA_VERSION,
      JSON.stringify({
        activeDecks: [deckId],
        curDeck: deckId,
        curModel: String(modelId),
        nextPos: cards.length + 1,
        sortType: 'noteFld',
        sortBackwards: false,
        addToCur: true,
        newSpread: 0,
        dueCounts: true,
        collapseTime: 1200,
        estTimes: true,
        timeLim: 0,
      }),
      JSON.stringify({ [modelId]: noteType(modelId, deckId, nowSeconds) }),
      JSON.stringify({
        1: deck(1, 'Default', nowSeconds, 1),
        [deckId]: deck(deckId, deckName, nowSeconds, 1),
      }),
      JSON.stringify({ 1: DECK_OPTIONS }),
      '{}',
    ]);

    const insertNote = db.prepare('INSERT INTO notes VALUES (?, ?, ?, ?, -1, ?, ?, ?, ?, 0, ?)');
    const insertCard = db.prepare(
      'INSERT INTO cards VALUES (?, ?, ?, 0, ?, -1, ?, ?, ?, ?, 2500, ?, ?, 0, 0, 0, 0, ?)',
    );
    const history = input.log ?? [];
    const withHistory = input.log !== undefined;
    const ankiCardIds = new Map<string, number>();
    for (const [index, card] of cards.entries()) {
      const noteId = input.now + 10 + 2 * index;
      const cardId = noteId + 1;
      ankiCardIds.set(card.id, cardId);
      const fields = [
        html(card.front),
        html(card.back),
        html(card.paperId ? (input.titles[card.paperId] ?? card.paperId) : ''),
        html(input.titles[card.chapter] ?? card.chapter),
        new URL(card.href, input.origin).href,
      ];
      const tags = ` residual ${card.chapter} ${card.kind} `;
      insertNote.run([
        noteId,
        `residual:${card.id}`,
        modelId,
        nowSeconds,
        tags,
        fields.join(FIELD_SEPARATOR),
        card.front,
        await checksum(card.front),
        '',
      ]);
      const schedule = withHistory
        ? ankiSchedule(card, collectionStart)
        : { type: 0, queue: card.suspended ? -1 : 0, due: card.position, ivl: 0 };
      insertCard.run([
        cardId,
        noteId,
        deckId,
        nowSeconds,
        schedule.type,
        schedule.queue,
        schedule.due,
        schedule.ivl,
        withHistory ? card.reps : 0,
        withHistory ? card.lapses : 0,
        '',
      ]);
    }
    insertNote.free();
    insertCard.free();

    if (withHistory) {
      const insertReview = db.prepare('INSERT INTO revlog VALUES (?, ?, -1, ?, ?, ?, 2500, 0, ?)');
      const byCard = new Map<string, ReviewLogEntry[]>();
      for (const row of [...history].sort((a, b) => a.review - b.review)) {
        const rows = byCard.get(row.cardId);
        if (rows) rows.push(row);
        else byCard.set(row.cardId, [row]);
      }
      const usedIds = new Set<number>();
      for (const card of cards) {
        const rows = byCard.get(card.id) ?? [];
        for (const [index, row] of rows.entries()) {
          // revlog ids are the answer's time in ms and must be unique: nudge a collision by 1 ms.
          let id = row.review;
          while (usedIds.has(id)) id++;
          usedIds.add(id);
          const { type, ivl, lastIvl } = revlogRow(row, rows[index + 1], card);
          insertReview.run([id, ankiCardIds.get(card.id)!, row.grade, ivl, lastIvl, type]);
        }
      }
      insertReview.free();
    }
    const collection = db.export();
    return zipSync({ 'collection.anki2': collection, media: new TextEncoder().encode('{}') });
  } finally {
    db.close();
  }
}

export function ankiFileName(now: number): string {
  return `residual-${new Date(now).toISOString().slice(0, 10)}.apkg`;
}
