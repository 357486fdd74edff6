import { describe, expect, it } from 'vitest';

import { fingerprintOfAny } from '../../src/rows/index.js';
import type { ValidRow } from '../../src/rows/index.js';
import { checkAll, fixture, messagesOf, outcomeOf } from '../manifest/support/read-all.js';
import { checkCsv, csvLine, csvText } from './support/inline-manifest.js';
import { symmetricKey } from './support/material.js';

describe('initial twin', () => {
  it(
    'keeps numbers and booleans of unquoted per-key cells when unambiguous, and quoted ' +
      'cells as text',
    async () => {
      const header =
        'registrationId,primaryKey,tag.a,tag.b,tag.c,tag.d,tag.e,tag.f,tag.g,tag.h,desired.x.y';
      const line = `typed,${symmetricKey()},30,-12.5,007,1e3,TRUE,false,"30",9007199254740993,null`;
      const { rows } = await checkCsv(`${header}\n${line}\n`);

      expect(rows[0]?.kind === 'valid' && rows[0].enrollment.initialTwin).toEqual({
        tags: {
          a: 30,
          b: -12.5,
          c: '007',
          d: '1e3',
          e: true,
          f: false,
          g: '30',
          h: '9007199254740993',
        },
        properties: { desired: { x: { y: 'null' } } },
      });
    },
  );

  it('merges tags JSON with tag.<name> columns, and refuses a key set by both', async () => {
    const header = 'registrationId,primaryKey,tags,tag.site,desired.fan.speed,desiredProperties';
    const { rows } = await checkCsv(
      [
        header,
        csvLine(['merged', symmetricKey(), '{"line":4}', 'lyon', '3', '{"fan":{"mode":"auto"}}']),
        csvLine(['clash', symmetricKey(), '{"site":"porto"}', 'lyon', '', '']),
        '',
      ].join('\n'),
    );

    expect(rows[0]?.kind === 'valid' && rows[0].enrollment.initialTwin).toEqual({
      tags: { line: 4, site: 'lyon' },
      properties: { desired: { fan: { mode: 'auto', speed: 3 } } },
    });
    expect(messagesOf(rows[1]!)[0]).toContain(
      ':3:4 tag.site: twin-key-conflict: the tags column already sets this key (or a value ' +
        'on its path)',
    );
  });

  const cases: [string, string, string, string][] = [
    [
      'tags that are not JSON',
      'tags',
      '{site: lyon}',
      "tags: twin-json: not JSON (Expected property name or '}' in JSON at position 1",
    ],
    [
      'tags that are an array',
      'tags',
      '["lyon"]',
      'tags: twin-json: found a JSON array; expected a JSON object',
    ],
    [
      'a key with a dot',
      'tags',
      '{"a.b":1}',
      `tags: twin-key: key "a.b" has '.' (U+002E) at position 2; twin keys may not hold . $ ` +
        `spaces or control characters`,
    ],
    [
      'a key with a space',
      'desiredProperties',
      '{"x":{"fan speed":1}}',
      'desiredProperties: twin-key: key "fan speed" has U+0020 at position 4',
    ],
    [
      'a key starting with $',
      'tags',
      '{"$version":1}',
      'tags: twin-key: key "$version" has \'$\' (U+0024) at position 1',
    ],
    [
      'objects 11 levels deep',
      'tags',
      JSON.stringify({
        a: { b: { c: { d: { e: { f: { g: { h: { i: { j: { k: 1 } } } } } } } } } },
      }),
      'tags: twin-depth: objects nest deeper than 10 levels',
    ],
    [
      'tags over 8 KB',
      'tags',
      JSON.stringify({ notes: 'n'.repeat(8200) }),
      'tags: twin-size: 8212 bytes of JSON; at most 8192 (8 KB)',
    ],
    [
      'desired over 32 KB',
      'desiredProperties',
      JSON.stringify({ notes: 'n'.repeat(33000) }),
      'desiredProperties: twin-size: 33012 bytes of JSON; at most 32768 (32 KB)',
    ],
  ];

  it.each(cases)('refuses %s', async (_, column, value, fragment) => {
    const { rows } = await checkCsv(
      `registrationId,primaryKey,${column}\n${csvLine(['twin', symmetricKey(), value])}\n`,
    );

    expect(messagesOf(rows[0]!)[0]).toContain(fragment);
  });

  it('accepts objects exactly 10 levels deep and tags of exactly 8 KB', async () => {
    const deep = JSON.stringify({
      a: { b: { c: { d: { e: { f: { g: { h: { i: { j: 1 } } } } } } } } },
    });
    const full = JSON.stringify({ notes: 'n'.repeat(8192 - 12) });
    const { rows } = await checkCsv(
      csvText(
        'registrationId,primaryKey,tags',
        csvLine(['deep', symmetricKey(), deep]),
        csvLine(['full', symmetricKey(), full]),
      ),
    );

    expect(rows.map(outcomeOf)).toEqual(['valid', 'valid']);
  });
});

describe('every enrollment field from a row', () => {
  it('builds each field with its wire spelling and leaves blank cells out', async () => {
    const { rows } = await checkAll({ path: fixture('all-fields.csv') });

    expect(rows.map(outcomeOf)).toEqual(['valid', 'valid', 'valid', 'valid']);
    const [symmetric, tpm, x509, references] = rows.map((row) =>
      row.kind === 'valid' ? row.enrollment : undefined,
    );

    expect(symmetric).toEqual({
      allocationPolicy: 'custom',
      attestation: {
        symmetricKey: { primaryKey: expect.any(String), secondaryKey: expect.any(String) },
        type: 'symmetricKey',
      },
      capabilities: { iotEdge: true },
      customAllocationDefinition: {
        apiVersion: '2021-10-01',
        webhookUrl: 'https://allocator.example.com/api/allocate',
      },
      deviceId: 'device-0001',
      initialTwin: {
        properties: { desired: { telemetry: { interval: 30 } } },
        tags: { site: 'lyon', floor: 2 },
      },
      iotHubs: ['hub-a.azure-devices.net', 'hub-b.azure-devices.net'],
      optionalDeviceInformation: { model: 'm-7' },
      provisioningStatus: 'disabled',
      registrationId: 'all-fields-0001',
      reprovisionPolicy: { migrateDeviceData: true, updateHubAssignment: false },
    });
    expect(tpm).toEqual({
      attestation: {
        tpm: { endorsementKey: expect.any(String), storageRootKey: expect.any(String) },
        type: 'tpm',
      },
      capabilities: { iotEdge: false },
      iotHubHostName: 'hub-a.azure-devices.net',
      provisioningStatus: 'enabled',
      registrationId: 'all-fields-0002',
    });
    expect(x509).toEqual({
      allocationPolicy: 'static',
      attestation: {
        type: 'x509',
        x509: {
          clientCertificates: {
            primary: { certificate: expect.any(String) },
            secondary: { certificate: expect.any(String) },
          },
        },
      },
      iotHubs: ['hub-a.azure-devices.net'],
      registrationId: 'all-fields-0003',
      reprovisionPolicy: { migrateDeviceData: true, updateHubAssignment: true },
    });
    expect(references).toEqual({
      allocationPolicy: 'geoLatency',
      attestation: { tpm: { endorsementKey: expect.any(String) }, type: 'tpm' },
      iotHubs: ['hub-a.azure-devices.net'],
      registrationId: 'all-fields-0004',
    });
    for (const enrollment of [symmetric, tpm, x509, references])
      expect(JSON.stringify(enrollment)).not.toContain('""');
  });

  const cases: [string, string, string, string][] = [
    [
      'provisioningStatus on',
      'provisioningStatus',
      'on',
      "provisioningStatus: provisioning-status-value: found 'on'; allowed: enabled, disabled",
    ],
    [
      'allocationPolicy random',
      'allocationPolicy',
      'random',
      "allocationPolicy: allocation-policy-value: found 'random'; allowed: hashed, " +
        'geoLatency, static, custom',
    ],
    [
      'iotEdge maybe',
      'iotEdge',
      'maybe',
      "iotEdge: boolean-value: found 'maybe'; allowed: true, false (also yes/no, 1/0)",
    ],
    [
      'a deviceId with #',
      'deviceId',
      'pump#09',
      "deviceId: device-id-charset: character '#' (U+0023) at position 5 is not allowed",
    ],
    [
      'a deviceId of 129 characters',
      'deviceId',
      'd'.repeat(129),
      'deviceId: device-id-length: 129 characters; at most 128',
    ],
    [
      'a hub given as a URL',
      'iotHubs',
      'https://hub-a.azure-devices.net',
      "iotHubs: iot-hub-host-name: 'https://hub-a.azure-devices.net' is a URL; give the " +
        'host name alone, without the scheme',
    ],
    [
      'a hub without a dot',
      'iotHubs',
      'hub-a.azure-devices.net;localhost',
      "iotHubs: iot-hub-host-name: 'localhost' is not a fully qualified host name (no dot)",
    ],
    [
      'a hub with an underscore',
      'iotHubHostName',
      'hub_a.azure-devices.net',
      "iotHubHostName: iot-hub-host-name: 'hub_a.azure-devices.net' has character '_' " +
        '(U+005F), not allowed in host names',
    ],
    [
      'a label ending with -',
      'iotHubs',
      'hub-.azure-devices.net',
      "iotHubs: iot-hub-host-name: a label of 'hub-.azure-devices.net' starts or ends with '-'",
    ],
  ];

  it.each(cases)('refuses %s', async (_, column, value, fragment) => {
    const { rows } = await checkCsv(
      `registrationId,primaryKey,${column}\n${csvLine(['fields', symmetricKey(), value])}\n`,
    );

    expect(messagesOf(rows[0]!)[0]).toContain(fragment);
  });

  it(
    'matches enumerations ignoring case, spaces and dashes, and sends the wire ' + 'spelling',
    async () => {
      const { rows } = await checkCsv(
        csvText(
          'registrationId,primaryKey,allocationPolicy,provisioningStatus,iotEdge',
          `enums,${symmetricKey()},Geo Latency,ENABLED,Yes`,
        ),
      );

      expect(rows[0]?.kind === 'valid' && rows[0].enrollment).toMatchObject({
        allocationPolicy: 'geoLatency',
        provisioningStatus: 'enabled',
        capabilities: { iotEdge: true },
      });
    },
  );

  it(
    'checks the custom allocation webhook: https, an api-version from 2018-09-01 on, both ' +
      'together',
    async () => {
      const header = 'registrationId,primaryKey,allocationPolicy,webhookUrl,webhookApiVersion';
      const { rows } = await checkCsv(
        `${header}\n` +
          `w1,${symmetricKey()},custom,http://allocator.example.com/?code=SECRET,2021-10-01\n` +
          `w2,${symmetricKey()},custom,https://allocator.example.com/,2017-11-15\n` +
          `w3,${symmetricKey()},custom,https://allocator.example.com/,\n` +
          `w4,${symmetricKey()},custom,,\n` +
          `w5,${symmetricKey()},hashed,https://allocator.example.com/,2018-09-01-preview\n`,
      );

      expect(rows.map((row) => messagesOf(row)[0]?.replace(/^manifest-\d+\.csv:/, ''))).toEqual([
        '2:4 webhookUrl: webhook-url: the scheme is http; the webhook must be https',
        "3:5 webhookApiVersion: webhook-api-version: found '2017-11-15'; the oldest accepted " +
          'is 2018-09-01-preview',
        '4:5 webhookApiVersion: custom-allocation-incomplete: webhookUrl and ' +
          'webhookApiVersion go together; this one is blank',
        '5:4 webhookUrl: custom-allocation-incomplete: allocationPolicy custom needs ' +
          'webhookUrl and webhookApiVersion',
        '6:4 webhookUrl: custom-allocation-unused: sent, but the service calls it only with ' +
          'allocationPolicy custom',
      ]);
      expect(messagesOf(rows[0]!).join(' ')).not.toContain('SECRET');
    },
  );

  it('refuses an enrollment too large to fit in one 96 KB bulk call', async () => {
    const information = JSON.stringify({ blob: 'b'.repeat(99_000) });
    const { rows } = await checkCsv(
      csvText(
        'registrationId,primaryKey,optionalDeviceInformation',
        csvLine(['huge', symmetricKey(), information]),
      ),
    );

    expect(messagesOf(rows[0]!)[0]).toMatch(
      new RegExp(
        String.raw`:2 row: enrollment-too-large: the enrollment is 99\d{3} bytes of JSON; ` +
          String.raw`one bulk call carries at most 97792 ` +
          String.raw`\(96 KB less room for the call envelope\)$`,
      ),
    );
  });
});

describe('fingerprint', () => {
  it(
    'is the same for the same request whatever the column and key order, and changes with ' +
      'a key',
    async () => {
      const key = symmetricKey();
      const first = await checkCsv(
        `registrationId,primaryKey,tags\n${csvLine(['fp', key, '{"a":1,"b":{"y":2,"x":1}}'])}\n`,
      );
      const second = await checkCsv(
        `tags,primaryKey,registrationId\n${csvLine(['{"b":{"x":1,"y":2},"a":1}', key, 'fp'])}\n`,
      );
      const third = await checkCsv(
        csvText(
          'registrationId,primaryKey,tags',
          csvLine(['fp', symmetricKey(), '{"a":1,"b":{"y":2,"x":1}}']),
        ),
      );
      const [one, two, three] = [first, second, third].map((result) => {
        const row = result.rows[0];
        if (row?.kind !== 'valid') throw new Error('expected a valid row');
        return row;
      }) as [ValidRow, ValidRow, ValidRow];

      expect(one.fingerprint).toMatch(/^[0-9a-f]{64}$/);
      expect(two.fingerprint).toBe(one.fingerprint);
      expect(three.fingerprint).not.toBe(one.fingerprint);
      expect(one.fingerprint).toBe(fingerprintOfAny(one.enrollment));
    },
  );
});
