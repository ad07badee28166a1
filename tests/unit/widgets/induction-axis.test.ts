import { describe, expect, it } from 'vitest';
import { axisToken } from '../../../src/widgets/induction-heads/charts';

describe("the induction pattern's token labels", () => {
  it('shows a token of up to seven characters whole', () => {
    expect(axisToken('Lisbon')).toBe('Lisbon');
    expect(axisToken('<bos>')).toBe('<bos>');
    expect(axisToken('lantern')).toBe('lantern');
  });

  it('cuts a longer token to six characters and an ellipsis', () => {
    expect(axisToken('rebellion')).toBe('rebell…');
    expect(axisToken('Stockholm')).toBe('Stockh…');
  });
});
