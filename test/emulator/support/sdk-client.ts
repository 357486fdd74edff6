/**
 * The official `azure-iot-provisioning-service` client, pointed at a TLS emulator on loopback.
 * The SDK dials its connection string's HostName on port 443; the emulator's HostName is
 * `127.0.0.1:<port>`, so an HTTPS agent (the SDK's RestApiClient takes one through its HTTP
 * options) dials the real port and trusts only the emulator's CA. The SDK itself is unchanged:
 * its own SAS signing, headers, paths and error mapping are what the tests exercise.
 */
import { Agent } from 'node:https';
import type { Duplex } from 'node:stream';
import { connect, type ConnectionOptions } from 'node:tls';
import { ConnectionString, SharedAccessSignature } from 'azure-iot-common';
import { RestApiClient } from 'azure-iot-http-base';
import { ProvisioningServiceClient } from 'azure-iot-provisioning-service';
import type { RunningEmulator } from '../../../src/emulator/index.js';

type TransportConfig = ConstructorParameters<typeof RestApiClient>[0];

class LoopbackTlsAgent extends Agent {
  readonly #port: number;
  readonly #ca: string;

  constructor(port: number, ca: string) {
    super({ keepAlive: true });
    this.#port = port;
    this.#ca = ca;
  }

  override createConnection(): Duplex {
    // Only where to dial changes; certificate and IP-name checks run as for any HTTPS client.
    const options: ConnectionOptions = { host: '127.0.0.1', port: this.#port, ca: this.#ca };

    return connect(options);
  }
}

export interface SdkHandle {
  client: ProvisioningServiceClient;
  restApiClient: RestApiClient;
  close(): void;
}

/** An SDK client authenticated as `fromConnectionString` does it, over the loopback agent. */
export function createSdkClient(emulator: RunningEmulator): SdkHandle {
  const parsed = ConnectionString.parse(emulator.connectionString);
  const hostName = parsed.HostName!;
  const signature = SharedAccessSignature.create(
    hostName,
    parsed.SharedAccessKeyName!,
    parsed.SharedAccessKey!,
    Date.now(),
  );
  const config = { host: hostName, sharedAccessSignature: signature };
  const port = Number(emulator.hostName.split(':')[1]);
  const agent = new LoopbackTlsAgent(port, emulator.caCertificate!);
  // Two copies of azure-iot-common are installed; their SharedAccessSignature types differ only
  // in a private field, so the config is handed over as the RestApiClient's own type.
  const transportConfig = config as unknown as TransportConfig;
  const restApiClient = new RestApiClient(transportConfig, 'azure-iot-provisioning-service/test');
  restApiClient.setOptions({ http: { agent } });

  return {
    client: new ProvisioningServiceClient(config as never, restApiClient),
    restApiClient,
    close: () => agent.destroy(),
  };
}
