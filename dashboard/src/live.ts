/**
 * Live data: every page polls the API paths it shows every POLL_MS (and at once when the paths
 * change or the tab becomes visible again), and re-renders only when an answer's text changed. A
 * configuration change therefore shows within about two seconds, without a reload. The header's
 * indicator reads the last poll's outcome (liveState).
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, apiGet, type ApiAnswer } from './api.js';

export const POLL_MS = 2000;

export interface Fetched {
  readonly answer?: ApiAnswer;
  readonly error?: ApiError | Error;
}

export interface LiveState {
  readonly ok: boolean;
  readonly at: Date | undefined;
  readonly error: string | undefined;
}

let live: LiveState = { ok: true, at: undefined, error: undefined };
const listeners = new Set<(s: LiveState) => void>();

function report(ok: boolean, error?: string): void {
  live = { ok, at: new Date(), error };
  for (const l of listeners) l(live);
}

/** The outcome of the latest poll, re-rendered on every poll. */
export function useLiveState(): LiveState {
  const [state, setState] = useState(live);
  useEffect(() => {
    listeners.add(setState);
    return () => {
      listeners.delete(setState);
    };
  }, []);
  return state;
}

/**
 * Polls every path of `paths` (API paths, relative to `<basePath>api/`); returns each one's latest
 * answer or error. `poll: false` fetches once (the explainer).
 */
export function usePollMany(paths: readonly string[], poll = true): ReadonlyMap<string, Fetched> {
  const key = paths.join('\n');
  const [results, setResults] = useState<ReadonlyMap<string, Fetched>>(new Map());
  useEffect(() => {
    const list = key === '' ? [] : key.split('\n');
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ctl = new AbortController();
    const texts = new Map<string, string>();
    setResults(new Map());

    const tick = async (): Promise<void> => {
      timer = undefined;
      if (document.visibilityState !== 'hidden' && list.length > 0) {
        const settled = await Promise.allSettled(list.map((p) => apiGet(p, ctl.signal)));
        if (stopped) return;
        let changed = false;
        const next = new Map<string, Fetched>();
        let failure: string | undefined;
        settled.forEach((s, i) => {
          const path = list[i] as string;
          if (s.status === 'fulfilled') {
            if (texts.get(path) !== s.value.text) changed = true;
            texts.set(path, s.value.text);
            next.set(path, { answer: s.value });
          } else {
            const err = s.reason instanceof Error ? s.reason : new Error(String(s.reason));
            const sig = `error:${err.message}`;
            if (texts.get(path) !== sig) changed = true;
            texts.set(path, sig);
            next.set(path, { error: err });
            // An API answer (404 of a removed object) is data; a failed fetch means the API is unreachable.
            if (!(err instanceof ApiError)) failure = err.message;
          }
        });
        report(failure === undefined, failure);
        if (changed) setResults(next);
      }
      if (!stopped && poll) timer = setTimeout(() => void tick(), POLL_MS);
    };
    const onVisible = (): void => {
      if (document.visibilityState === 'visible' && timer !== undefined) {
        clearTimeout(timer);
        void tick();
      }
    };
    document.addEventListener('visibilitychange', onVisible);
    void tick();
    return () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      ctl.abort();
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [key, poll]);
  return results;
}

/** Polls one path (undefined: nothing to fetch yet). */
export function usePoll(path: string | undefined, poll = true): Fetched | undefined {
  const results = usePollMany(path === undefined ? [] : [path], poll);
  return path === undefined ? undefined : results.get(path);
}
