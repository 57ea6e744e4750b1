/**
 * Requests held until the sidecar is ready (`GET /readyz?wait=`): each resolves true as
 * soon as `check()` finds the sidecar ready, false when its wait ends or at shutdown. At
 * most `max` are held at once (the health port is reachable from every container of the
 * pod), so waiting cannot pile up timers and sockets.
 */
export const MAX_READY_WAITERS = 8;

export interface HeldWait {
  ready: Promise<boolean>;
  /** The client went away: stop holding (the promise never settles). */
  cancel: () => void;
}

interface Waiter {
  resolve: (ok: boolean) => void;
  timer: NodeJS.Timeout;
}

export class ReadyWaiters {
  private readonly held = new Set<Waiter>();

  constructor(
    private readonly isReady: () => boolean,
    private readonly max = MAX_READY_WAITERS,
  ) {}

  get size(): number {
    return this.held.size;
  }

  /** Holds one request for up to `ms`; `undefined` when `max` are already held. */
  wait(ms: number): HeldWait | undefined {
    if (this.held.size >= this.max) return undefined;
    let waiter: Waiter | undefined;
    const ready = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => this.settle(w, false), ms);
      const w: Waiter = { resolve, timer };
      waiter = w;
      this.held.add(w);
    });
    const cancel = (): void => {
      if (waiter && this.held.delete(waiter)) clearTimeout(waiter.timer);
    };
    return { ready, cancel };
  }

  /** Answers every held request if the sidecar is ready now. */
  check(): void {
    if (this.held.size === 0 || !this.isReady()) return;
    for (const w of [...this.held]) this.settle(w, true);
  }

  /** Shutdown: every held request is answered "not ready". */
  release(): void {
    for (const w of [...this.held]) this.settle(w, false);
  }

  private settle(w: Waiter, ok: boolean): void {
    if (!this.held.delete(w)) return;
    clearTimeout(w.timer);
    w.resolve(ok);
  }
}
