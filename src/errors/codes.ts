/**
 * The error catalogue: every error Turnpike raises on the data path or in configuration has a
 * stable code. Tests assert codes, not messages. Retired codes are never reused.
 */
export const ERROR_CODES = {
  // data path -> HTTP status
  TPK_ERR_NO_ROUTER: 404,
  TPK_ERR_NO_SERVER: 503,
  TPK_ERR_UPSTREAM_UNREACHABLE: 502,
  TPK_ERR_UPSTREAM_BAD_RESPONSE: 502,
  TPK_ERR_UPSTREAM_TIMEOUT: 504,
  TPK_ERR_CLIENT_GONE: 499,
  TPK_ERR_BAD_REQUEST: 400,
  TPK_ERR_INTERNAL: 500,
} as const;

export type ProxyErrorCode = keyof typeof ERROR_CODES;

export class ProxyError extends Error {
  readonly code: ProxyErrorCode;
  readonly status: number;
  /** Body text sent to the client (Traefik sends the status text, or a fixed message). */
  readonly body: string;

  constructor(code: ProxyErrorCode, message: string, options?: { cause?: unknown; body?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProxyError';
    this.code = code;
    this.status = ERROR_CODES[code];
    this.body = options?.body ?? statusText(this.status);
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  404: '404 page not found',
  499: 'Client Closed Request',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function statusText(status: number): string {
  return STATUS_TEXT[status] ?? 'Error';
}
