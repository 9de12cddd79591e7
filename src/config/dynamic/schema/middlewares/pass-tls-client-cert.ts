/**
 * `passTLSClientCert`: which parts of the client certificate chain go to the backend in
 * `X-Forwarded-Tls-Client-Cert` (`pem`) and `X-Forwarded-Tls-Client-Cert-Info` (`info`).
 * `info`, `info.subject` and `info.issuer` are sections: present (even empty, or `true` as labels
 * write it) means "on" exactly as Traefik's non-nil pointers do; an `info` with nothing selected
 * still sets the header (empty per certificate), as Traefik does. The issuer has no
 * `organizationalUnit` in Traefik; writing one is an unknown key.
 */
import { DYNAMIC_CODES } from '../../codes.js';
import type { MiddlewareConfig } from '../../types.js';
import { type Field, type Fields, type Scope, readBool, readFields, readSection } from '../fields.js';

/** The distinguished-name parts to report (all default false). */
export interface PassTlsClientCertDnOptions {
  readonly country: boolean;
  readonly province: boolean;
  readonly locality: boolean;
  readonly organization: boolean;
  /** Subject only: always false for the issuer. */
  readonly organizationalUnit: boolean;
  readonly commonName: boolean;
  readonly serialNumber: boolean;
  readonly domainComponent: boolean;
}

export interface PassTlsClientCertInfoOptions {
  readonly notAfter: boolean;
  readonly notBefore: boolean;
  readonly sans: boolean;
  readonly serialNumber: boolean;
  /** undefined = no Subject field. */
  readonly subject: PassTlsClientCertDnOptions | undefined;
  /** undefined = no Issuer field. */
  readonly issuer: PassTlsClientCertDnOptions | undefined;
}

export interface PassTlsClientCertOptions {
  /** Default false. */
  readonly pem: boolean;
  /** undefined (the default) = no info header. */
  readonly info: PassTlsClientCertInfoOptions | undefined;
}

const SUBJECT_KEYS = ['country', 'province', 'locality', 'organization', 'organizationalUnit', 'commonName', 'serialNumber', 'domainComponent'] as const;
const ISSUER_KEYS = ['country', 'province', 'locality', 'organization', 'commonName', 'serialNumber', 'domainComponent'] as const;

/** A section that may be a mapping, empty, `true` (on) or `false` (off). */
function readOptionalSection(scope: Scope, f: Field | undefined): Record<string, unknown> | undefined {
  const section = readSection(scope, f);
  return section === false ? undefined : section;
}

function flag(scope: Scope, fields: Fields, key: string): boolean {
  return readBool(scope, fields.get(key)) ?? false;
}

function readDn(scope: Scope, f: Field | undefined, issuer: boolean): PassTlsClientCertDnOptions | undefined {
  const section = readOptionalSection(scope, f);
  if (section === undefined || f === undefined) return undefined;
  const fields = readFields(scope, section, f.path, { supported: issuer ? ISSUER_KEYS : SUBJECT_KEYS });
  if (fields === undefined) return undefined;
  return {
    country: flag(scope, fields, 'country'),
    province: flag(scope, fields, 'province'),
    locality: flag(scope, fields, 'locality'),
    organization: flag(scope, fields, 'organization'),
    organizationalUnit: issuer ? false : flag(scope, fields, 'organizationalUnit'),
    commonName: flag(scope, fields, 'commonName'),
    serialNumber: flag(scope, fields, 'serialNumber'),
    domainComponent: flag(scope, fields, 'domainComponent'),
  };
}

function readInfo(scope: Scope, f: Field | undefined): PassTlsClientCertInfoOptions | undefined {
  const section = readOptionalSection(scope, f);
  if (section === undefined || f === undefined) return undefined;
  const fields = readFields(scope, section, f.path, { supported: ['notAfter', 'notBefore', 'sans', 'serialNumber', 'subject', 'issuer'] });
  if (fields === undefined) return undefined;
  return {
    notAfter: flag(scope, fields, 'notAfter'),
    notBefore: flag(scope, fields, 'notBefore'),
    sans: flag(scope, fields, 'sans'),
    serialNumber: flag(scope, fields, 'serialNumber'),
    subject: readDn(scope, fields.get('subject'), false),
    issuer: readDn(scope, fields.get('issuer'), true),
  };
}

export function readPassTlsClientCert(scope: Scope, f: Field): MiddlewareConfig | undefined {
  const section = readSection(scope, f);
  if (section === undefined) return undefined;
  if (section === false) {
    scope.error(DYNAMIC_CODES.INVALID_VALUE, f.path, `expected a mapping of options (pem, info), got false${scope.leftOut}`);
    return undefined;
  }
  const fields = readFields(scope, section, f.path, { supported: ['pem', 'info'] });
  if (fields === undefined) return undefined;
  const pem = flag(scope, fields, 'pem');
  const info = readInfo(scope, fields.get('info'));
  if (!scope.ok) return undefined;
  return { kind: 'passTLSClientCert', options: { pem, info } };
}
