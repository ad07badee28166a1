/**
 * A reading-time estimate for a paper, from what its record asks of the reader (the records do
 * not hold the papers' lengths). The rule, rough and stated where it is shown:
 * 15 minutes for the gist (abstract, figures, conclusion), 20 minutes for each point the list asks
 * to engage with deeply, 5 for each part to skim; rounded to 5 minutes.
 */
export const GIST_MINUTES = 15;
export const DEEP_POINT_MINUTES = 20;
export const SKIM_MINUTES = 5;

export function readingMinutes(paper: {
  deepEngage: readonly unknown[];
  skim: readonly unknown[];
}): number {
  const minutes =
    GIST_MINUTES + DEEP_POINT_MINUTES * paper.deepEngage.length + SKIM_MINUTES * paper.skim.length;
  return Math.round(minutes / 5) * 5;
}

/** "45 min", "1 h 20 min", "12 h" */
export function describeMinutes(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}
