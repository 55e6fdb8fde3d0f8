/**
 * Embedded event bus: in-process, at-least-once within this process, one handler per group per
 * event, failed handlers retried with backoff. Not durable across restarts: on start the status
 * service catches up on facts newer than their person's status.
 */
import type { EventBus, Subscription } from '../../ports/event-bus.port.ts';

interface Group {
  pattern: RegExp;
  handlers: Array<(payload: unknown, subject: string) => Promise<void>>;
  next: number;
}

export function subjectPattern(subject: string): RegExp {
  const parts = subject
    .split('.')
    .map((p) => (p === '*' ? '[^.]+' : p === '>' ? '.+' : p.replace(/[-/\\^$+?()|[\]{}]/g, '\\$&')));
  return new RegExp(`^${parts.join('\\.')}$`);
}

export class MemoryBus implements EventBus {
  private readonly groups = new Map<string, Group>();
  private pending = 0;
  private closed = false;
  private idleWaiters: Array<() => void> = [];

  async publish(subject: string, payload: unknown): Promise<void> {
    if (this.closed) throw new Error('bus closed');
    const copy = structuredClone(payload);
    for (const g of this.groups.values()) {
      if (!g.pattern.test(subject) || g.handlers.length === 0) continue;
      const h = g.handlers[g.next++ % g.handlers.length];
      if (h) this.deliver(h, copy, subject, 0);
    }
  }

  private deliver(
    h: (p: unknown, s: string) => Promise<void>,
    payload: unknown,
    subject: string,
    attempt: number,
  ): void {
    this.pending++;
    setImmediate(() => {
      h(payload, subject)
        .catch(() => {
          if (!this.closed && attempt < 8) {
            const t = setTimeout(() => this.deliver(h, payload, subject, attempt + 1), 50 * 2 ** attempt);
            t.unref();
          }
        })
        .finally(() => {
          this.pending--;
          if (this.pending === 0) for (const w of this.idleWaiters.splice(0)) w();
        });
    });
  }

  async subscribe(
    subject: string,
    group: string,
    handler: (payload: unknown, subject: string) => Promise<void>,
  ): Promise<Subscription> {
    const key = `${group}\u0000${subject}`;
    let g = this.groups.get(key);
    if (!g) {
      g = { pattern: subjectPattern(subject), handlers: [], next: 0 };
      this.groups.set(key, g);
    }
    g.handlers.push(handler);
    const grp = g;
    return {
      stop: async () => {
        grp.handlers = grp.handlers.filter((x) => x !== handler);
      },
    };
  }

  /** Resolves when every delivered event has been handled (tests, graceful stop). */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  async close(): Promise<void> {
    await this.idle();
    this.closed = true;
  }
}
