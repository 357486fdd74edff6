/**
 * The certificate and key the emulator serves HTTPS with: given ones, or a fresh CA plus a
 * server certificate for 127.0.0.1, ::1 and localhost signed by it. Clients trust the CA
 * (`caCertificate`), never the system store, so nothing else is ever trusted by accident.
 */
import { buildCertificate, generateKeyPair } from './certificate-builder.js';

/** The PEM certificate and key to serve, and the CA to trust when generated. */
export interface TlsMaterial {
  cert: string;
  key: string;
  /** PEM of the generated CA; absent when the certificate was given. */
  caCertificate?: string;
}

const CA_NAME = 'dps-bulk emulator local CA';

/** Certificate and key for the `tls` option; undefined when serving plain HTTP. */
export function resolveTlsMaterial(
  tls: boolean | { cert: string; key: string } | undefined,
): TlsMaterial | undefined {
  if (tls === undefined || tls === false) return undefined;
  if (tls !== true) return { cert: tls.cert, key: tls.key };

  const authorityKeys = generateKeyPair();
  const caCertificate = buildCertificate({
    commonName: CA_NAME,
    subjectKeys: authorityKeys,
    isAuthority: true,
  });
  const serverKeys = generateKeyPair();
  const cert = buildCertificate({
    commonName: 'localhost',
    subjectKeys: serverKeys,
    issuer: { commonName: CA_NAME, privateKey: authorityKeys.privateKey },
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1', '::1'],
    usage: 'server',
  });

  const key = serverKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;

  return { cert, key, caCertificate };
}
