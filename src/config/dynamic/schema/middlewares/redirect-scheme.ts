/**
 * `redirectScheme`: redirect to another scheme (and port) when the request's differs. Also the
 * options of the entry-point redirection Traefik generates from `http.redirections.entryPoint`.
 */
import { DYNAMIC_CODES } from '../../codes.js';
import type { MiddlewareConfig } from '../../types.js';
import { type Field, type Scope, readBool, readFields, readString, requireField } from '../fields.js';

export interface RedirectSchemeOptions {
  /** Target scheme, lower case (`https`). */
  readonly scheme: string;
  /** Target port as text; '' = no explicit port (the URL keeps none). */
  readonly port: string;
  /** 301/308 instead of 302/307. */
  readonly permanent: boolean;
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*$/;
const PORT = /^[0-9]{1,5}$/;

export function readRedirectScheme(scope: Scope, f: Field): MiddlewareConfig | undefined {
  const fields = readFields(scope, f.value, f.path, { supported: ['scheme', 'port', 'permanent'] });
  if (fields === undefined) return undefined;
  const sf = requireField(scope, fields, 'scheme', f.path, 'the scheme to redirect to, e.g. https');
  const scheme = readString(scope, sf);
  if (sf !== undefined && scheme !== undefined && !SCHEME.test(scheme)) {
    scope.error(DYNAMIC_CODES.INVALID_VALUE, sf.path, `expected a URL scheme such as "https", got "${scheme}"${scope.leftOut}`);
  }
  const pf = fields.get('port');
  const port = readString(scope, pf) ?? '';
  if (pf !== undefined && port !== '' && (!PORT.test(port) || Number(port) < 1 || Number(port) > 65535)) {
    scope.error(DYNAMIC_CODES.INVALID_VALUE, pf.path, `expected a port number from 1 to 65535 (as a string, e.g. "443"), got "${port}"${scope.leftOut}`);
  }
  const permanent = readBool(scope, fields.get('permanent')) ?? false;
  if (!scope.ok || scheme === undefined) return undefined;
  return { kind: 'redirectScheme', options: { scheme: scheme.toLowerCase(), port, permanent } };
}
