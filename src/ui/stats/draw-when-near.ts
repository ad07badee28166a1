/**
 * Drawing on demand: each chart of the statistics page is drawn when its place comes near the
 * screen, one chart per task. Drawing all four at once held a slow phone for half a second after
 * the figures were already shown, mostly for charts below the first screen. A place keeps its
 * chart's height before the chart is drawn (`reserve`), so nothing moves when it appears.
 */
import { yieldToMain } from '../../storage/slices';

export type Draw = () => void | Promise<void>;

/**
 * How far outside the screen a place starts drawing: enough to be drawn by the time it is
 * scrolled to, not so far that the charts below the first screen are drawn while the page loads.
 */
const NEAR = '200px 0px';

export class DrawWhenNear {
  private readonly pending = new Map<Element, Draw>();
  private readonly observer: IntersectionObserver;
  /** The draws under way, one after another. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly onError: (error: unknown) => void) {
    this.observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) if (entry.isIntersecting) this.start(entry.target);
      },
      { rootMargin: NEAR },
    );
  }

  /**
   * Draw `place` with `draw` when it is near the screen (at once if it is already). A draw not
   * started yet for the same place is replaced: only the latest data is drawn.
   */
  schedule(place: Element, draw: Draw): void {
    this.pending.set(place, draw);
    // Observing again makes the observer report the place's current position, near or not.
    this.observer.unobserve(place);
    this.observer.observe(place);
  }

  /** Resolves once every draw started so far has finished. */
  settled(): Promise<void> {
    return this.queue;
  }

  private start(place: Element): void {
    const draw = this.pending.get(place);
    this.observer.unobserve(place);
    if (!draw) return;
    this.pending.delete(place);
    this.queue = this.queue.then(async () => {
      // Each chart in a task of its own, after whatever the page has to do first.
      await yieldToMain();
      try {
        await draw();
      } catch (error) {
        this.onError(error);
      }
    });
  }
}
