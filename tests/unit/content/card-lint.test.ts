import { describe, expect, it } from 'vitest';
import {
  CARD_RULES,
  formatViolation,
  frontWords,
  isNearDuplicate,
  jaccard,
  lintCards,
  median,
  secondQuestion,
  wordCount,
  type CardLintInput,
  type CardRule,
} from '../../../src/content/card-lint';
import { CHAPTERS } from '../../../src/content/chapters';
import { rawGlossary, rawPaperRecords } from '../../support/content';

const chapters = [{ slug: 'bonus', papers: ['paper-a', 'paper-b', 'video-b'] }];

function words(count: number): string {
  return Array.from({ length: count }, (_, index) => `w${index}`).join(' ');
}

interface FixtureCard {
  id?: string;
  front: string;
  back: string;
}
interface FixturePoint {
  id: string;
  source?: string;
  text: string;
  card: FixtureCard;
  moreCards?: FixtureCard[];
}
interface FixturePaper {
  id: string;
  chapter: string;
  kind: string;
  attachedTo: string | null;
  summary: string;
  takeaways: { source?: string; text: string }[];
  deepEngage: [FixturePoint, ...FixturePoint[]];
  illusions: FixturePoint[];
  widgets?: string[];
  experiments?: { id: string; runner: string; card: FixtureCard }[];
}
type Change = (record: FixturePaper) => void;

/** A well-formed paper record with one point; `change` edits it before it is linted. */
function paper(id: string, change: Change = () => {}) {
  const record: FixturePaper = {
    id,
    chapter: 'bonus',
    kind: 'paper',
    attachedTo: null,
    summary: 'A summary.',
    takeaways: [{ source: 'list', text: 'A takeaway.' }],
    deepEngage: [
      {
        id: 'main-point',
        source: 'ours',
        text: 'The main point.',
        card: { front: `What does ${id} show about heads?`, back: 'A short answer.' },
      },
    ],
    illusions: [],
  };
  change(record);
  return { file: `content/papers/${id}.yaml`, data: record };
}

function input(papers: ReturnType<typeof paper>[], glossary: unknown[] = []): CardLintInput {
  return { papers, glossary: { file: 'content/glossary.yaml', data: glossary }, chapters };
}

function rulesBroken(lintInput: CardLintInput): string[] {
  return lintCards(lintInput).violations.map((violation) => `${violation.id} ${violation.rule}`);
}

describe('the card linter on small records', () => {
  it('passes a deck that keeps every rule', () => {
    expect(rulesBroken(input([paper('paper-a'), paper('paper-b')]))).toEqual([]);
  });

  it('fails a front with no question mark, or with two', () => {
    const none = paper('paper-a', (r) => (r.deepEngage[0].card.front = 'Explain the heads.'));
    const two = paper('paper-b', (r) => (r.deepEngage[0].card.front = 'Why X? And why Y?'));
    expect(rulesBroken(input([none, two]))).toEqual([
      'paper-a/main-point one-question',
      'paper-b/main-point one-question',
    ]);
  });

  it('fails a front that joins a second question to the first, and accepts one that asks one thing', () => {
    const joined = paper('paper-a', (r) => {
      r.deepEngage[0].card.front = 'How does the lens extend, and what can you apply it to?';
    });
    const semicolon = paper('paper-b', (r) => {
      r.deepEngage[0].card.front = 'What does the head read; or why would it?';
    });
    expect(rulesBroken(input([joined, semicolon]))).toEqual([
      'paper-a/main-point one-thing',
      'paper-b/main-point one-thing',
    ]);
    const single = paper('paper-a', (r) => {
      r.deepEngage[0].card.front =
        'What is the difference between what a head reads and what it writes?';
    });
    expect(rulesBroken(input([single]))).toEqual([]);
    expect(secondQuestion('Why, and how,\n  does it work?')).toBe(', and how');
  });

  it('fails a back over 40 words and accepts one of exactly 40', () => {
    const long = paper('paper-a', (r) => (r.deepEngage[0].card.back = words(41)));
    const limit = paper('paper-b', (r) => (r.deepEngage[0].card.back = words(40)));
    const broken = rulesBroken(input([long, limit]));
    expect(broken).toContain('paper-a/main-point back-length');
    expect(broken).not.toContain('paper-b/main-point back-length');
  });

  it('fails the deck when the median back is over 20 words', () => {
    const backs = (count: number) => (r: FixturePaper) =>
      (r.deepEngage[0].card.back = words(count));
    expect(rulesBroken(input([paper('paper-a', backs(21)), paper('paper-b', backs(22))]))).toEqual([
      '(all 2 cards) deck-median',
    ]);
    expect(rulesBroken(input([paper('paper-a', backs(19)), paper('paper-b', backs(21))]))).toEqual(
      [],
    );
  });

  it('fails a front that repeats, or nearly repeats, another card in the deck', () => {
    const front = 'Why does the logit lens decode the residual stream with the unembedding?';
    const same = (r: FixturePaper) => (r.deepEngage[0].card.front = front);
    const near = (r: FixturePaper) =>
      (r.deepEngage[0].card.front =
        'Why does the logit lens decode the residual stream with unembedding matrices?');
    expect(rulesBroken(input([paper('paper-a', same), paper('paper-b', same)]))).toEqual([
      'paper-b/main-point duplicate-front',
    ]);
    expect(rulesBroken(input([paper('paper-a', same), paper('paper-b', near)]))).toEqual([
      'paper-b/main-point duplicate-front',
    ]);
  });

  it('compares glossary fronts with paper fronts', () => {
    const term = {
      id: 'heads',
      term: 'Heads',
      definition: 'Heads.',
      card: { front: 'What does paper-a show about heads?', back: 'Something.' },
    };
    expect(rulesBroken(input([paper('paper-a')], [term]))).toEqual([
      'glossary/heads duplicate-front',
    ]);
  });

  it('fails a point or takeaway without a source', () => {
    const noPointSource = paper('paper-a', (r) => delete r.deepEngage[0].source);
    const badTakeaway = paper('paper-b', (r) => (r.takeaways[0]!.source = 'author'));
    expect(rulesBroken(input([noPointSource, badTakeaway]))).toEqual([
      'paper-a/main-point source',
      'paper-b/takeaways/1 source',
    ]);
  });

  it('fails a card whose link back would name no anchor on a page', () => {
    const wrongChapter = paper('paper-a', (r) => (r.chapter = 'superposition'));
    const orphanCompanion = paper('video-b', (r) => {
      r.kind = 'companion';
      r.attachedTo = 'paper-missing';
    });
    expect(rulesBroken(input([wrongChapter, orphanCompanion]))).toEqual([
      'paper-a/main-point link',
      'video-b/main-point link',
    ]);
    const companion = paper('video-b', (r) => {
      r.kind = 'companion';
      r.attachedTo = 'paper-b';
    });
    expect(rulesBroken(input([paper('paper-b'), companion]))).toEqual([]);
  });

  it('fails two parts of a split card that share an id, and a glossary term naming no paper', () => {
    const split = paper('paper-a', (r) => {
      r.deepEngage[0].moreCards = [
        { id: 'why', front: 'Why is it so?', back: 'Because.' },
        { id: 'why', front: 'When does it fail?', back: 'Rarely.' },
      ];
    });
    const term = {
      id: 'term',
      term: 'Term',
      definition: 'A term.',
      papers: ['nowhere'],
      card: { front: 'What is a term?', back: 'A word.' },
    };
    expect(rulesBroken(input([split], [term]))).toEqual([
      'glossary/term link',
      'paper-a/main-point/why link',
    ]);
  });

  it('fails unclosed or invalid inline math and accepts valid math', () => {
    const unclosed = paper('paper-a', (r) => (r.deepEngage[0].card.back = 'The product $W_U W_E.'));
    const invalid = paper('paper-b', (r) => (r.takeaways[0]!.text = 'Read $W_{QK$ as one matrix.'));
    expect(rulesBroken(input([unclosed, invalid]))).toEqual([
      'paper-a/main-point math',
      'paper-b/takeaways/1 math',
    ]);
    const valid = paper(
      'paper-a',
      (r) => (r.deepEngage[0].card.back = '$x^\\top W_{QK} x$ costs \\$5.'),
    );
    expect(rulesBroken(input([valid]))).toEqual([]);
  });

  it("lints an experiment card's worked example like any card, and its link to the paper's widget", () => {
    const experiment = (front: string, back: string, runner = 'logit-lens/first-top-layer') =>
      paper('paper-a', (r) => {
        r.widgets = ['logit-lens'];
        r.experiments = [{ id: 'first-top', runner, card: { front, back } }];
      });
    const good = experiment('At which layer does the lens first rank it top-1?', 'Layer 3.');
    expect(rulesBroken(input([good]))).toEqual([]);
    expect(lintCards(input([good])).cards.map((card) => card.id)).toContain(
      'paper-a/run/first-top',
    );
    const broken = rulesBroken(input([experiment('Which layer? Which token?', words(41))]));
    expect(broken).toContain('paper-a/run/first-top one-question');
    expect(broken).toContain('paper-a/run/first-top back-length');
    const otherWidget = experiment('Which layer first?', 'Layer 3.', 'grokking/when');
    expect(rulesBroken(input([otherWidget]))).toEqual(['paper-a/run/first-top link']);
  });

  it('names the file and the card id in every message', () => {
    const none = paper('paper-a', (r) => (r.deepEngage[0].card.front = 'Explain.'));
    const [violation] = lintCards(input([none])).violations;
    expect(violation && formatViolation(violation)).toBe(
      'content/papers/paper-a.yaml: paper-a/main-point [one-question] front has 0 question marks, needs exactly one',
    );
  });
});

describe('near-duplicate fronts', () => {
  it('are fronts whose lower-cased word sets, punctuation dropped, have a Jaccard index of at least 0.8', () => {
    expect([...frontWords('What is $W_{QK}$, the QK-circuit?')]).toEqual([
      'what',
      'is',
      'w',
      'qk',
      'the',
      'circuit',
    ]);
    expect(jaccard(new Set(['a', 'b', 'c', 'd']), new Set(['a', 'b', 'c', 'd', 'e']))).toBe(0.8);
    expect(isNearDuplicate('What is a head?', 'what is a HEAD')).toBe(true);
    // Nine shared words of eleven: 0.82.
    expect(
      isNearDuplicate(
        'Why does patching move the logit difference so much here?',
        'Why does patching move the logit difference so much there?',
      ),
    ).toBe(true);
  });

  it('are not short fronts that differ in their subject', () => {
    expect(isNearDuplicate('What is the logit lens?', 'What is direct logit attribution?')).toBe(
      false,
    );
    expect(
      isNearDuplicate(
        'What does an induction head attend to?',
        'What does a previous-token head attend to?',
      ),
    ).toBe(false);
  });
});

describe('back length', () => {
  it('counts whitespace-separated tokens, math included', () => {
    expect(wordCount('  The product $W_U W_E$\nis a bigram table. ')).toBe(8);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('the real deck', () => {
  const report = lintCards({
    papers: rawPaperRecords().map(({ file, data }) => ({ file: `content/papers/${file}`, data })),
    glossary: { file: 'content/glossary.yaml', data: rawGlossary() },
    chapters: CHAPTERS,
  });

  it('has cards to lint', () => {
    expect(report.cards.length).toBeGreaterThanOrEqual(150);
  });

  it.each(CARD_RULES.map((rule) => [rule]))(
    'keeps the rule "%s" on every card',
    (rule: CardRule) => {
      const broken = report.violations
        .filter((violation) => violation.rule === rule)
        .map(formatViolation);
      expect(broken, `${broken.length} card(s) break "${rule}" (run npm run lint:cards)`).toEqual(
        [],
      );
    },
  );
});
