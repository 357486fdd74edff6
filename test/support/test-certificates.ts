/**
 * Throwaway certificates made for one test run, with the emulator's own DER writer: no openssl
 * binary needed, no real certificate anywhere.
 */
import { buildCertificate, generateKeyPair } from '../../src/emulator/tls/certificate-builder.js';

export interface TestCertificate {
  /** PEM certificate. */
  cert: string;
  /** PEM PKCS#8 private key. */
  key: string;
}

/** A self-signed EC P-256 certificate valid for two days. */
export function makeSelfSignedCertificate(
  commonName: string,
  options: { ipAddresses?: string[]; usage?: 'server' | 'client' } = {},
): TestCertificate {
  const keys = generateKeyPair();
  const cert = buildCertificate({
    commonName,
    subjectKeys: keys,
    notAfter: new Date(Date.now() + 2 * 86_400_000),
    ...(options.ipAddresses ? { ipAddresses: options.ipAddresses } : {}),
    ...(options.usage ? { usage: options.usage } : {}),
  });

  return { cert, key: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}
