import * as fs from 'node:fs';
import * as path from 'node:path';
import { generate } from 'selfsigned';

export interface LocalCa {
  caPem: string;
  certPem: string;
  keyPem: string;
  /** Files written when a directory was given. */
  files?: { ca: string; cert: string; key: string };
}

/**
 * A throwaway CA and one server certificate for `names` (DNS names or IPs), for
 * tests and the local mesh. Nothing here is meant to outlive the process run.
 */
export async function makeLocalCa(names: readonly string[], dir?: string): Promise<LocalCa> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const notAfterDate = new Date(Date.now() + 7 * 24 * 3600_000);
  const ca = await generate([{ name: 'commonName', value: 'appnet throwaway CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const altNames = names.map((n) => (/^[\d.]+$|:/.test(n) ? { type: 7 as const, ip: n } : { type: 2 as const, value: n }));
  const leaf = await generate([{ name: 'commonName', value: names[0] ?? 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  const result: LocalCa = { caPem: ca.cert, certPem: leaf.cert, keyPem: leaf.private };
  if (dir) {
    fs.mkdirSync(dir, { recursive: true });
    const files = { ca: path.join(dir, 'ca.pem'), cert: path.join(dir, 'server.pem'), key: path.join(dir, 'server-key.pem') };
    fs.writeFileSync(files.ca, result.caPem);
    fs.writeFileSync(files.cert, result.certPem);
    fs.writeFileSync(files.key, result.keyPem, { mode: 0o600 });
    result.files = files;
  }
  return result;
}
