/**
 * Test certificates made with the openssl CLI (`openssl ca`, so serials and validity dates are
 * exact), reproducing the subjects, serials, dates and SANs of Traefik's documented
 * passTLSClientCert examples, plus one certificate with the cases Traefik's examples lack.
 * Written into a fresh temp dir; the caller removes it.
 */
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const CA_CONFIG = `[ca]
default_ca = testca
[testca]
dir = .
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = none
[anything]
domainComponent = optional
countryName = optional
stateOrProvinceName = optional
localityName = optional
organizationName = optional
organizationalUnitName = optional
commonName = optional
serialNumber = optional
emailAddress = optional
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
[complete_ext]
basicConstraints = CA:FALSE
subjectAltName = DNS:*.cheese.org,DNS:*.cheese.net,DNS:*.cheese.com,IP:10.0.1.0,IP:10.0.1.2,email:test@cheese.org,email:test@cheese.net
[client_ext]
basicConstraints = CA:FALSE
extendedKeyUsage = clientAuth
subjectAltName = DNS:client.cheese.org
[minimal_ext]
basicConstraints = CA:FALSE
[extra_ext]
basicConstraints = CA:FALSE
subjectAltName = URI:spiffe://cheese.org/ns/prod/sa/web,IP:2001:db8:0:0:1:0:0:1,IP:::ffff:10.0.0.7,DNS:api.cheese.org,email:ops@cheese.org,URI:https://cheese.org/a?b=c
`;

export interface TestCerts {
  readonly dir: string;
  /** Self-signed "Simple Signing CA" (serial 2). */
  readonly ca: X509Certificate;
  /** Traefik's completeCheeseCrt: serial 1, 2018-12-06T11:10:16Z .. 2020-12-05T11:10:16Z, DNS/IP/email SANs. */
  readonly complete: X509Certificate;
  /** Traefik's minimalCheeseCrt: C=FR, ST=Some-State, O=Cheese; its 160-bit serial; no extension. */
  readonly minimal: X509Certificate;
  /** URI and IPv6 SANs, a multi-valued RDN, a subject serialNumber, UTF-8, dates before 1970 and after 2049. */
  readonly extra: X509Certificate;
  /** "Cheese Intermediate CA", signed by `ca`. */
  readonly intermediate: X509Certificate;
  /** A client certificate (CN=chained-client, clientAuth) signed by `intermediate`; key in `dir`/chained.key. */
  readonly chained: X509Certificate;
  /** The PEM files as openssl wrote them. */
  readonly pem: { readonly ca: string; readonly complete: string; readonly minimal: string; readonly extra: string; readonly intermediate: string; readonly chained: string };
}

async function openssl(dir: string, args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir });
}

async function issue(dir: string, name: string, subj: string, serial: string, ext: string, start: string, end: string, extraReq: string[] = [], issuer = 'ca'): Promise<void> {
  await writeFile(join(dir, 'serial'), serial + '\n');
  await openssl(dir, ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subj, ...extraReq]);
  const signer = name === 'ca' ? ['-selfsign', '-keyfile', 'ca.key'] : ['-cert', `${issuer}.pem`, '-keyfile', `${issuer}.key`];
  await openssl(dir, ['ca', '-batch', '-config', 'ca.cnf', ...signer, '-in', `${name}.csr`, '-out', `${name}.pem`, '-preserveDN', '-extensions', ext, '-startdate', start, '-enddate', end, '-notext', ...(extraReq.includes('-utf8') ? ['-utf8'] : []), ...(extraReq.includes('-multivalue-rdn') ? ['-multivalue-rdn'] : [])]);
}

export async function makeTestCerts(): Promise<TestCerts> {
  const dir = await mkdtemp(join(tmpdir(), 'turnpike-ptcc-'));
  await writeFile(join(dir, 'ca.cnf'), CA_CONFIG);
  await writeFile(join(dir, 'index.txt'), '');
  const signing = '/DC=org/DC=cheese/O=Cheese/O=Cheese 2/OU=Simple Signing Section/OU=Simple Signing Section 2/CN=Simple Signing CA/CN=Simple Signing CA 2/C=FR/C=US/L=TOULOUSE/L=LYON/ST=Signing State/ST=Signing State 2/emailAddress=simple@signing.com';
  await issue(dir, 'ca', signing, '02', 'ca_ext', '20181206111009Z', '20281205111009Z');
  const cheese = '/DC=org/DC=cheese/O=Cheese/O=Cheese 2/OU=Simple Signing Section/OU=Simple Signing Section 2/CN=*.cheese.org/CN=*.cheese.com/C=FR/C=US/L=TOULOUSE/L=LYON/ST=Cheese org state/ST=Cheese com state/emailAddress=cert@cheese.org';
  await issue(dir, 'complete', cheese, '01', 'complete_ext', '20181206111016Z', '20201205111016Z');
  await issue(dir, 'minimal', '/C=FR/ST=Some-State/O=Cheese', '5458D0E064FCBE527B4219463DC23258DAC0BD94', 'minimal_ext', '20181206111036Z', '20210925111036Z');
  await issue(
    dir,
    'extra',
    '/DC=example/CN=first+OU=Multi RDN/serialNumber=SN-0042/L=Zürich/O=Käse & Co; "quoted"/CN=last',
    'FF',
    'extra_ext',
    '19690101000000Z',
    '20510101000000Z',
    ['-utf8', '-multivalue-rdn'],
  );
  await issue(dir, 'intermediate', '/O=Cheese/CN=Cheese Intermediate CA', '10', 'ca_ext', '20200101000000Z', '20400101000000Z');
  await issue(dir, 'chained', '/O=Cheese/OU=Clients/CN=chained-client', '11', 'client_ext', '20200101000000Z', '20400101000000Z', [], 'intermediate');
  const pem = {
    ca: await readFile(join(dir, 'ca.pem'), 'utf8'),
    complete: await readFile(join(dir, 'complete.pem'), 'utf8'),
    minimal: await readFile(join(dir, 'minimal.pem'), 'utf8'),
    extra: await readFile(join(dir, 'extra.pem'), 'utf8'),
    intermediate: await readFile(join(dir, 'intermediate.pem'), 'utf8'),
    chained: await readFile(join(dir, 'chained.pem'), 'utf8'),
  };
  return {
    dir,
    ca: new X509Certificate(pem.ca),
    complete: new X509Certificate(pem.complete),
    minimal: new X509Certificate(pem.minimal),
    extra: new X509Certificate(pem.extra),
    intermediate: new X509Certificate(pem.intermediate),
    chained: new X509Certificate(pem.chained),
    pem,
  };
}
