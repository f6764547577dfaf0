/// <reference lib="dom" />
// What every page gives the router: its element, a handler for live events, and a cleanup that
// stops its polling when the operator navigates away.
import type { KurirEvent } from './events.js';

export interface Page {
  el: HTMLElement;
  onEvent?(e: KurirEvent): void;
  dispose?(): void;
}

export interface UiConfig {
  temporalUiUrl: string | null;
  namespace: string;
  providerCapsPerSecond: Record<string, number>;
}

export interface PageContext {
  config: UiConfig;
  /** Called once the page shows its first data (the first-render measurement). */
  rendered(): void;
}

/** Runs `fn` now and every `ms` (no overlap: the next run waits for the previous one). */
export function every(ms: number, fn: () => Promise<void>): { stop(): void; now(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  let running = false;
  let again = false;
  const tick = async () => {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    clearTimeout(timer);
    running = true;
    try {
      await fn();
    } catch {
      /* the page shows its own errors */
    }
    running = false;
    if (stopped) return;
    if (again) {
      again = false;
      void tick();
      return;
    }
    timer = setTimeout(() => void tick(), ms);
  };
  void tick();
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
    now: () => void tick(),
  };
}
