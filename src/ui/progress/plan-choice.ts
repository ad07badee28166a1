/**
 * Which reading plan the reader follows ("essentials first" by default), kept in localStorage:
 * a preference of this browser, read synchronously by the start page and the progress page.
 */
import { isPlanName, type PlanName } from '../../progress/plans';

const KEY = 'residual-reading-plan';

export function chosenPlan(): PlanName {
  try {
    const stored = localStorage.getItem(KEY);
    return isPlanName(stored) ? stored : 'essentials';
  } catch {
    return 'essentials'; // storage refused (some private windows): the default plan
  }
}

export function choosePlan(name: PlanName): void {
  try {
    localStorage.setItem(KEY, name);
  } catch {
    // Not kept across visits; the page still follows the choice until it is left.
  }
}
