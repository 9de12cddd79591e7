/**
 * Talking to Turnpike's API. The dashboard is served at `<basePath>dashboard/`, so the API is the
 * sibling `../api/` of the page: relative URLs keep working under any basePath and behind a proxy
 * that strips a prefix.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
  /** The raw text (to tell whether anything changed since the last poll). */
  readonly text: string;
  /** The X-Next-Page header of list answers. */
  readonly nextPage: string | null;
}

/** The absolute URL of an API path (`http/routers?search=x`). */
export function apiUrl(path: string): string {
  return new URL(`../api/${path}`, document.baseURI).href;
}

/** The message of an error answer: Traefik's `{"message": ...}` or the text itself. */
function errorMessage(status: number, text: string): string {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && 'message' in parsed && typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON: the text is the message
  }
  const t = text.trim();
  return t === '' ? `HTTP ${status}` : t;
}

/** GET an API path; throws ApiError on a non-2xx answer. */
export async function apiGet(path: string, signal?: AbortSignal): Promise<ApiAnswer> {
  const res = await fetch(apiUrl(path), { headers: { Accept: 'application/json' }, cache: 'no-store', ...(signal ? { signal } : {}) });
  const text = await res.text();
  if (!res.ok) throw new ApiError(res.status, errorMessage(res.status, text));
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError(res.status, `the API answered something that is not JSON: ${text.slice(0, 120)}`);
  }
  return { status: res.status, body, text, nextPage: res.headers.get('X-Next-Page') };
}
