/**
 * A graph a model starts on first use (the backward, prefix and attribution graphs): started
 * once and shared by every caller meanwhile, and started again after a failed load (a network
 * error, or a file that an older offline cache does not hold).
 */
import type { GraphSession } from './runtime';

export class LazyGraph {
  private session: Promise<GraphSession> | null = null;

  /** `start` fetches and starts the graph; null when the model has no such graph. */
  constructor(private readonly start: (() => Promise<GraphSession>) | null) {}

  /** Whether the model has the graph (it may still fail to load). */
  get exists(): boolean {
    return this.start !== null;
  }

  /** The session if a call has started it (it may still be loading). */
  get started(): Promise<GraphSession> | null {
    return this.session;
  }

  /** The session, started on the first call. Rejects for a graph the model lacks. */
  get(): Promise<GraphSession> {
    if (!this.start) return Promise.reject(new Error('the model has no such graph'));
    this.session ??= this.start();
    // A failed load can be retried.
    this.session.catch(() => (this.session = null));
    return this.session;
  }

  /** Whether the graph can run: started by this call if need be; never rejects. */
  available(): Promise<boolean> {
    if (!this.start) return Promise.resolve(false);
    return this.get().then(
      () => true,
      () => false,
    );
  }

  async release(): Promise<void> {
    const session = this.session && (await this.session.catch(() => null));
    await session?.release();
  }
}
