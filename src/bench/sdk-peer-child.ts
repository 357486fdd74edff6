/**
 * The peer, run as its own process: the official `azure-iot-provisioning-service` package sends
 * a manifest's rows the way its bulk sample does, one `runBulkEnrollmentOperation` call of 10
 * enrollments at a time, each waiting for the previous one.
 *
 * Usage: `node sdk-peer-child.js FILE`, with BENCH_CONNECTION_STRING (the emulator's) and
 * BENCH_CA_PATH (its CA, PEM) in the environment. Prints one JSON line: an SdkPeerReport.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createReadStream } from 'node:fs';

import { parse } from 'csv-parse';

import { createSasToken, parseConnectionString } from '../dps/contract/index.js';
import { LoopbackAgent } from './loopback-agent.js';
import { toSdkEnrollment, type ManifestCells } from './sdk-enrollment.js';

type SdkModule = typeof import('azure-iot-provisioning-service');
type HttpBaseModule = typeof import('azure-iot-http-base');
type SdkClient = InstanceType<SdkModule['ProvisioningServiceClient']>;
type BulkOperation = Parameters<SdkClient['runBulkEnrollmentOperation']>[0];
type SdkEnrollment = BulkOperation['enrollments'][number];
type TransportConfig = ConstructorParameters<HttpBaseModule['RestApiClient']>[0];

/** What the peer did, printed as JSON for the bench. */
export interface SdkPeerReport {
  rows: number;
  /** Rows the service accepted: items of successful calls not listed in `errors[]`. */
  enrolled: number;
  calls: number;
  /** Calls answered with an error (HTTP status ≥ 300 or a transport failure). */
  failedCalls: number;
  /** Items a 200 answer listed in `errors[]`. */
  failedItems: number;
  /** First error text seen, for diagnosis; the SDK's messages carry no secret. */
  firstError?: string;
}

const CALL_SIZE = 10;

/** Lifetime of the peer's SAS token: the SDK's own default of one hour. */
const TOKEN_LIFETIME_SECONDS = 3_600;

// The SDK and its transport are CommonJS. The transport's RestApiClient, passed as the SDK
// constructor's second argument, is the public way to give the SDK an HTTP agent.
const require = createRequire(import.meta.url);
const { ProvisioningServiceClient } = require('azure-iot-provisioning-service') as SdkModule;
const { RestApiClient } = require('azure-iot-http-base') as HttpBaseModule;

async function main(manifestPath: string): Promise<SdkPeerReport> {
  const client = await createClient();
  const report: SdkPeerReport = { rows: 0, enrolled: 0, calls: 0, failedCalls: 0, failedItems: 0 };
  let pending: SdkEnrollment[] = [];

  const records = createReadStream(manifestPath).pipe(parse({ bom: true, columns: true }));
  for await (const cells of records as AsyncIterable<ManifestCells>) {
    report.rows += 1;
    // The SDK's type marks read-only service fields as required; the wire shape is the same.
    pending.push(toSdkEnrollment(cells) as unknown as SdkEnrollment);
    if (pending.length === CALL_SIZE) {
      await sendCall(client, pending, report);
      pending = [];
    }
  }

  if (pending.length > 0) {
    await sendCall(client, pending, report);
  }

  return report;
}

/**
 * Builds the client as the SDK's own fromConnectionString does, with two changes: the loopback
 * agent, and a SAS token signed over the URL-encoded host. The SDK signs the HostName raw; for a
 * real `*.azure-devices-provisioning.net` host both forms are the same string, but the
 * emulator's HostName `127.0.0.1:<port>` has a `:` and the emulator (src/dps/contract/sas.ts)
 * accepts only the encoded form. One token per run instead of one per call costs the SDK
 * nothing measurable at 40 ms per call.
 */
async function createClient(): Promise<SdkClient> {
  const connection = parseConnectionString(requireVariable('BENCH_CONNECTION_STRING'));
  const caCertificate = await readFile(requireVariable('BENCH_CA_PATH'), 'utf8');
  const [host = '127.0.0.1', portText = ''] = connection.hostName.split(':');

  const config: TransportConfig = {
    host: connection.hostName,
    sharedAccessSignature: createSasToken({
      resource: connection.hostName,
      policyName: connection.sharedAccessKeyName,
      base64Key: connection.sharedAccessKey,
      expirySeconds: Math.ceil(Date.now() / 1000) + TOKEN_LIFETIME_SECONDS,
    }),
  };
  const restApiClient = new RestApiClient(config, 'azure-iot-provisioning-service/bench');
  const agent = new LoopbackAgent({ host, port: Number(portText), caCertificate });
  restApiClient.setOptions({ http: { agent } });
  return new ProvisioningServiceClient(config, restApiClient);
}

/** One bulk call through the callback form: the SDK's promise form of this call never settles. */
function sendCall(
  client: SdkClient,
  enrollments: SdkEnrollment[],
  report: SdkPeerReport,
): Promise<void> {
  report.calls += 1;

  return new Promise<void>((resolve) => {
    client.runBulkEnrollmentOperation({ mode: 'create', enrollments }, (error, result) => {
      if (error) {
        report.failedCalls += 1;
        report.firstError ??= error.message;
      } else {
        const failedItems = result?.errors?.length ?? 0;
        report.failedItems += failedItems;
        report.enrolled += enrollments.length - failedItems;
      }

      resolve();
    });
  });
}

function requireVariable(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`sdk-peer-child: environment variable ${name} is required`);
  }

  return value;
}

const manifestPath = process.argv[2];

if (manifestPath === undefined) {
  process.stderr.write('sdk-peer-child: usage: node sdk-peer-child.js FILE\n');
  process.exitCode = 2;
} else {
  const report = await main(manifestPath);
  process.stdout.write(`${JSON.stringify(report)}\n`);
}
