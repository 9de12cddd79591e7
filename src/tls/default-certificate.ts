/**
 * Traefik's generated default certificate: served when no configured certificate matches the SNI
 * and the store sets no `defaultCertificate`. Like Traefik's: self-signed, RSA 2048, subject CN
 * "TRAEFIK DEFAULT CERT", one DNS name `<32 hex>.<32 hex>.traefik.default`, valid one year, key
 * usages digital signature and key encipherment.
 *
 * Generated once per Turnpike instance, on first need: the RSA key by node:crypto (async, off the
 * main thread), the certificate by node-forge (imported only then). With workers the primary
 * generates it and hands it to every worker, so all of them serve the same certificate.
 */
import { createHash, generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

export interface PemKeyPair {
  readonly cert: string;
  readonly key: string;
}

export const DEFAULT_CERT_COMMON_NAME = 'TRAEFIK DEFAULT CERT';

const generateKeyPairAsync = promisify(generateKeyPair);

/** Makes a new default certificate (takes tens to hundreds of ms: the RSA key). */
export async function generateDefaultCertificate(now: Date = new Date()): Promise<PemKeyPair> {
  const keys = await generateKeyPairAsync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  const forge = (await import('node-forge')).default;
  const z = createHash('sha256').update(randomBytes(100)).digest('hex');
  const domain = `${z.slice(0, 32)}.${z.slice(32)}.traefik.default`;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKey);
  // A positive 128-bit serial (leading byte below 0x80).
  const serial = randomBytes(16);
  serial[0] = (serial[0] as number) & 0x7f;
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = now;
  cert.validity.notAfter = new Date(now.getTime() + 365 * 24 * 3600 * 1000);
  const name = [{ name: 'commonName', value: DEFAULT_CERT_COMMON_NAME }];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: domain }] },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(keys.privateKey), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: keys.privateKey };
}

/** Where a process gets the default certificate from: generated here, or asked of the primary. */
export type DefaultCertificateSource = () => Promise<PemKeyPair>;

/** A source that generates the certificate on first call and returns the same one afterwards. */
export function generatedOnce(generate: () => Promise<PemKeyPair> = generateDefaultCertificate): DefaultCertificateSource {
  let pending: Promise<PemKeyPair> | undefined;
  return () => {
    if (pending === undefined) {
      pending = generate();
      // A failed generation is retried on the next call.
      pending.catch(() => {
        pending = undefined;
      });
    }
    return pending;
  };
}
