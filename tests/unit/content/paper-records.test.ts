import { describe, expect, it } from 'vitest';
import {
  glossaryTermSchema,
  paperSchema,
  type PaperRecord,
} from '../../../src/content/paper-schema';
import { CHAPTERS } from '../../../src/content/chapters';
import {
  bibliography,
  fileId,
  rawGlossary,
  rawPaperRecords,
  sharedOrder,
} from '../../support/content';

const records = rawPaperRecords();
const parsed: PaperRecord[] = records.map(({ file, data }) => {
  const result = paperSchema.safeParse(data);
  if (!result.success) throw new Error(`${file}: ${result.error.message}`);
  return result.data;
});
const byId = new Map(parsed.map((paper) => [paper.id, paper]));
const chapterOf = new Map(
  CHAPTERS.flatMap((chapter) => chapter.papers.map((id) => [id, chapter.slug])),
);

/** First person as the source list writes it ("during my MATS program"); the site never borrows it. */
const FIRST_PERSON = /\b(?:I|I'm|I've|me|my)\b/;

/**
 * A record keeps its bibliography item's organisation. One the list words in its author's first
 * person may be restated in the site's voice instead, as long as it keeps the names it gives
 * ("MATS", "DeepMind") and loses the first person.
 */
function expectSameOrganisation(org: string | null, listed: string | null, id: string): void {
  if (listed === null || !FIRST_PERSON.test(listed) || org === listed) {
    expect(org, id).toBe(listed);
    return;
  }
  expect(org, `${id} organisation in the site's voice`).not.toMatch(FIRST_PERSON);
  for (const name of listed.match(/\b[A-Z][A-Za-z]+\b/g) ?? []) {
    expect(org, `${id} organisation keeps "${name}"`).toContain(name);
  }
}

describe('paper records', () => {
  it('are named after the bibliography id they hold', () => {
    for (const { file } of records) expect(byId.has(fileId(file)), file).toBe(true);
  });

  it('cover every bibliography item exactly once', () => {
    const ids = parsed.map((paper) => paper.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(
      bibliography()
        .map((item) => item.id)
        .sort(),
    );
  });

  it('carry the verified title, organisation, year and link of their bibliography item', () => {
    for (const item of bibliography()) {
      const paper = byId.get(item.id);
      if (!paper) continue;
      expect(paper.title, item.id).toBe(item.title);
      expectSameOrganisation(paper.org, item.org, item.id);
      expect(paper.year, item.id).toBe(item.year);
      expect(paper.url, `${item.id} must not invent or change a link`).toBe(item.url);
      expect(paper.authors === null, `${item.id} authors`).toBe(item.authors_as_listed === null);
    }
  });

  it('sit in the chapter where the source lists them', () => {
    for (const paper of parsed) expect(paper.chapter, paper.id).toBe(chapterOf.get(paper.id));
  });

  it('attach companions to a paper of the same chapter', () => {
    for (const companion of parsed.filter((paper) => paper.kind === 'companion')) {
      const host = byId.get(companion.attachedTo ?? '');
      expect(host?.kind, `${companion.id} → ${companion.attachedTo}`).toBe('paper');
      expect(host?.chapter, companion.id).toBe(companion.chapter);
    }
  });
});

describe('chapter order', () => {
  it('follows the source: sections in order, papers in order within each', () => {
    const order = sharedOrder();
    const expected = [
      order.preamble_items,
      ...order.section_headings_in_order.map((section) => order.order_within_section[section]),
    ];
    expect(CHAPTERS.map((chapter) => chapter.papers)).toEqual(expected);
  });
});

describe('glossary', () => {
  const terms = rawGlossary().map((raw) => glossaryTermSchema.parse(raw));

  it('has unique term ids', () => {
    const ids = terms.map((term) => term.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('links only to papers that exist', () => {
    for (const term of terms)
      for (const id of term.papers) expect(byId.has(id), `${term.id} → ${id}`).toBe(true);
  });

  it('defines the terms the product promises', () => {
    const names = terms.map((term) => term.id);
    for (const required of [
      'residual-stream',
      'induction-head',
      'superposition',
      'activation-patching',
      'attribution-patching',
      'logit-lens',
      'steering-vector',
    ]) {
      expect(
        names.some((name) => name.startsWith(required)),
        required,
      ).toBe(true);
    }
  });
});
