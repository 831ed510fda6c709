/**
 * Throwaway TLS material for tests: a CA, a server certificate valid for 127.0.0.1 and
 * localhost, and a client certificate, all signed by that CA. Generated with the `openssl` CLI
 * once per test run (the first call creates them, later calls share the same promise).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { track } from './cleanup.js';

const run = promisify(execFile);

/** A PEM file on disk and its contents. */
export interface PemFile {
  path: string;
  pem: string;
}

/** The generated material. `ca` signs both certificates. */
export interface TlsCerts {
  dir: string;
  ca: PemFile;
  serverCert: PemFile;
  serverKey: PemFile;
  clientCert: PemFile;
  clientKey: PemFile;
}

let cached: Promise<TlsCerts> | undefined;

/** Returns the run's certificates, generating them on first use. */
export function getTlsCerts(): Promise<TlsCerts> {
  cached ??= generate().catch((err: unknown) => {
    cached = undefined; // let a later call retry instead of caching the failure
    throw err;
  });
  return cached;
}

// P-256 keys: generating them takes milliseconds where RSA 2048 can take a second.
const KEY_ARGS = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function generate(): Promise<TlsCerts> {
  const dir = mkdtempSync(join(tmpdir(), 'respool-tls-'));
  const remove = (): void => {
    cached = undefined; // the files are gone: the next caller must generate new ones
    rmSync(dir, { recursive: true, force: true });
  };
  track({ close: async () => remove(), closeSync: remove });
  const p = (name: string): string => join(dir, name);
  await openssl('req', '-x509', ...KEY_ARGS, '-keyout', p('ca.key'), '-out', p('ca.crt'),
    '-days', '2', '-subj', '/CN=respool test CA');
  await issue(dir, 'server', '/CN=localhost', [
    'subjectAltName = IP:127.0.0.1, DNS:localhost',
    'extendedKeyUsage = serverAuth',
  ]);
  await issue(dir, 'client', '/CN=respool test client', ['extendedKeyUsage = clientAuth']);
  const pem = (name: string): PemFile => ({ path: p(name), pem: readFileSync(p(name), 'utf8') });
  return {
    dir,
    ca: pem('ca.crt'),
    serverCert: pem('server.crt'),
    serverKey: pem('server.key'),
    clientCert: pem('client.crt'),
    clientKey: pem('client.key'),
  };
}

/** Makes `<name>.key` and `<name>.crt` signed by the CA, with the given x509v3 extensions. */
async function issue(dir: string, name: string, subject: string, extensions: string[]): Promise<void> {
  const p = (file: string): string => join(dir, file);
  // Extensions go through a file: `x509 -req` ignores the CSR's own extensions by default.
  writeFileSync(p(`${name}.ext`), extensions.join('\n') + '\n');
  await openssl('req', '-new', ...KEY_ARGS, '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`),
    '-subj', subject);
  await openssl('x509', '-req', '-in', p(`${name}.csr`), '-CA', p('ca.crt'), '-CAkey', p('ca.key'),
    '-CAcreateserial', '-days', '2', '-extfile', p(`${name}.ext`), '-out', p(`${name}.crt`));
}

async function openssl(...args: string[]): Promise<void> {
  try {
    await run('openssl', args, { timeout: 20_000 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error('openssl not found: install it: apt-get install openssl');
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.trim() || e.message}`);
  }
}
