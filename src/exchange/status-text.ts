/**
 * Go's `http.StatusText`: the bodies Traefik writes for the answers its middlewares make
 * themselves (`rw.WriteHeader(code); rw.Write([]byte(http.StatusText(code)))`), with the headers Go
 * adds to such a write (a sniffed `text/plain; charset=utf-8` and the Content-Length). Go's words
 * differ from node's STATUS_CODES for a few codes (413 "Request Entity Too Large", 414, 416, 418).
 * Also the reason phrases of the status lines the front ends write themselves (reasonPhrase).
 */
import type { ResponseWriter } from './exchange.js';
import { HeaderList } from './headers.js';

const TEXT: Readonly<Record<number, string>> = {
  100: 'Continue',
  101: 'Switching Protocols',
  102: 'Processing',
  103: 'Early Hints',
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  203: 'Non-Authoritative Information',
  204: 'No Content',
  205: 'Reset Content',
  206: 'Partial Content',
  207: 'Multi-Status',
  208: 'Already Reported',
  226: 'IM Used',
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  305: 'Use Proxy',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Request Entity Too Large',
  414: 'Request URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Requested Range Not Satisfiable',
  417: 'Expectation Failed',
  418: "I'm a teapot",
  421: 'Misdirected Request',
  422: 'Unprocessable Entity',
  423: 'Locked',
  424: 'Failed Dependency',
  425: 'Too Early',
  426: 'Upgrade Required',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  451: 'Unavailable For Legal Reasons',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
  506: 'Variant Also Negotiates',
  507: 'Insufficient Storage',
  508: 'Loop Detected',
  510: 'Not Extended',
  511: 'Network Authentication Required',
};

/** Go's status text for `code`, '' for a code Go does not know. */
export function goStatusText(code: number): string {
  return TEXT[code] ?? '';
}

/** A status answer prepared once (per middleware) and sent many times. */
export class StatusAnswer {
  readonly #status: number;
  readonly #body: Buffer;
  readonly #length: string;

  constructor(status: number, text: string = goStatusText(status)) {
    this.#status = status;
    this.#body = Buffer.from(text);
    this.#length = String(this.#body.length);
  }

  get status(): number {
    return this.#status;
  }

  /** Answer with the status and its text, as Go's `WriteHeader(code)` + `Write(text)`. */
  send(res: ResponseWriter): void {
    if (res.clientGone) return;
    const headers = new HeaderList(['Content-Type', 'text/plain; charset=utf-8', 'Content-Length', this.#length]);
    res.writeHead(this.#status, headers);
    res.end(this.#body);
  }
}
