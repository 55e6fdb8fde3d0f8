/**
 * Every process follows the active policy. A version is published by one api process (which then
 * recomputes everyone); the others — the second api, the worker, the companion — would go on
 * evaluating with the version they loaded at start, so a resident recomputed there after the change
 * (a new fact, a review moment, a cache miss) got the old policy's colour. Found by `hc simulate`
 * on the scripted topology: a declared 37.5 °C stayed orange after the threshold went to 37.6 °C.
 */
import type { Logger } from 'pino';
import type { PolicyStore } from '../ports/policy-store.port.ts';
import type { PolicyService } from '../services/policy.service.ts';

export interface PolicyFollower {
  /** Checks once: reloads when the stored active version is not the one in memory. */
  check(): Promise<boolean>;
  stop(): void;
}

/** Polls the active version every `intervalMs` and reloads the policy when it changed. */
export function followActivePolicy(
  store: PolicyStore,
  policies: PolicyService,
  log: Logger,
  intervalMs = 1000,
): PolicyFollower {
  let busy = false;
  const check = async (): Promise<boolean> => {
    const stored = (await store.activeDocument()) as { version?: unknown } | undefined;
    if (stored?.version === undefined) return false;
    const mine = (await policies.active()).policy.version;
    if (stored.version === mine) return false;
    const now = await policies.reload();
    log.info({ from: mine, to: now.policy.version }, 'active policy changed; reloaded');
    return true;
  };
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    check()
      .catch(() => undefined) // the database is away: the next tick tries again
      .finally(() => (busy = false));
  }, intervalMs);
  timer.unref();
  return { check, stop: () => clearInterval(timer) };
}
