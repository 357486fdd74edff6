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

import { LoopbackAgent } from './loopback-agent.js';
import { toSdkEnrollment, type ManifestCells } from './sdk-enrollment.js';

type SdkModule = typeof import('azure-iot-provisioning-service');
type HttpBaseModule = typeof import('azure-iot-http-base');
type CommonModule = typeof import('azure-iot-common');
type SdkClient = InstanceType<SdkModule['ProvisioningServiceClient']>;
type BulkOperation = Parameters<SdkClient['runBulkEnrollmentOperation']>[0];
type SdkEnrollment = BulkOperation['enrollments'][number];
type SdkConstructorParameters = ConstructorParameters<SdkModule['ProvisioningServiceClient']>;
type SdkTransportConfig = SdkConstructorParameters[0];
type SdkRestApiClient = NonNullable<SdkConstructorParameters[1]>;

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

// The SDK and its transport are CommonJS. The transport's RestApiClient, passed as the SDK
// constructor's second argument, is the public way to give the SDK an HTTP agent. Both helper
// packages are loaded from where the SDK itself finds them, so the peer runs the exact copies
// the SDK depends on, whatever versions the project installs at the top level.
const require = createRequire(import.meta.url);
const sdkEntry = require.resolve('azure-iot-provisioning-service');
const requireFromSdk = createRequire(sdkEntry);
const { ProvisioningServiceClient } = require(sdkEntry) as SdkModule;
const { RestApiClient } = requireFromSdk('azure-iot-http-base') as HttpBaseModule;
const { ConnectionString, SharedAccessSignature } = requireFromSdk(
  'azure-iot-common',
) as CommonModule;

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
 * Builds the client as the SDK's own fromConnectionString does (its SAS, re-signed on every
 * call), adding only the loopback agent through the RestApiClient.
 */
async function createClient(): Promise<SdkClient> {
  const parts = ConnectionString.parse(requireVariable('BENCH_CONNECTION_STRING'));
  const caCertificate = await readFile(requireVariable('BENCH_CA_PATH'), 'utf8');
  const hostName = parts.HostName ?? '';
  const [host = '127.0.0.1', portText = ''] = hostName.split(':');

  // The types come from the top-level copies, the values from the SDK's own: the same shapes,
  // declared twice, so the config and the client are cast to the SDK's types once here.
  const config = {
    host: hostName,
    sharedAccessSignature: SharedAccessSignature.create(
      hostName,
      parts.SharedAccessKeyName ?? '',
      parts.SharedAccessKey ?? '',
      Date.now(),
    ),
  };
  const restApiClient = new RestApiClient(
    config as unknown as ConstructorParameters<HttpBaseModule['RestApiClient']>[0],
    'azure-iot-provisioning-service/bench',
  );
  const agent = new LoopbackAgent({ host, port: Number(portText), caCertificate });
  restApiClient.setOptions({ http: { agent } });
  return new ProvisioningServiceClient(
    config as unknown as SdkTransportConfig,
    restApiClient as unknown as SdkRestApiClient,
  );
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
