import { describe, expect, it } from 'vitest';

import {
  describeLastAnswer,
  describeServiceError,
  readBulkResult,
} from '../../src/dispatch/service-answers.js';
import { fakeReply } from './support/fake-client.js';

describe('readBulkResult', () => {
  it('keys per-item errors by lower-cased registration ID', () => {
    const error = { registrationId: 'Sensor-A01', errorCode: 409201, errorStatus: 'exists' };

    const reading = readBulkResult({ isSuccessful: false, errors: [error] });

    expect(reading).toEqual({ readable: true, errorsById: new Map([['sensor-a01', error]]) });
  });

  it('reads a success with an empty errors list, or with none at all', () => {
    expect(readBulkResult({ isSuccessful: true, errors: [] })).toEqual({
      readable: true,
      errorsById: new Map(),
    });
    expect(readBulkResult({ isSuccessful: true })).toEqual({
      readable: true,
      errorsById: new Map(),
    });
  });

  it('refuses a failure that names no item, and a body that is not a result', () => {
    expect(readBulkResult({ isSuccessful: false, errors: [] })).toEqual({
      readable: false,
      problem: 'the reply says isSuccessful:false without naming an item',
    });
    expect(readBulkResult('<html>')).toEqual({
      readable: false,
      problem: 'the reply has no bulk result body',
    });
    expect(readBulkResult({})).toEqual({
      readable: false,
      problem: 'the reply has neither errors[] nor isSuccessful',
    });
  });
});

describe('describeServiceError', () => {
  it('takes errorCode, then code, then x-ms-error-code, and the message', () => {
    const badKey = fakeReply(400, { errorCode: 400004, message: 'Bad EK.' });

    expect(describeServiceError(badKey)).toEqual({ errorCode: 400004, text: 'Bad EK.' });
    expect(describeServiceError(fakeReply(400, { code: 400005 }))).toEqual({
      errorCode: 400005,
      text: 'HTTP 400',
    });
    expect(
      describeServiceError(fakeReply(409, undefined, { 'x-ms-error-code': 'Conflict' })),
    ).toEqual({ errorCode: 'Conflict', text: 'HTTP 409' });
  });

  it('cuts a long text body to 300 characters and flattens its whitespace', () => {
    const described = describeServiceError(fakeReply(502, `Bad\n\ngateway ${'x'.repeat(400)}`));

    expect(described.text).toHaveLength(301);
    expect(described.text.startsWith('Bad gateway x')).toBe(true);
    expect(described.text.endsWith('…')).toBe(true);
  });
});

describe('describeLastAnswer', () => {
  it('says whether a transport error may have reached the service', () => {
    const answer = {
      kind: 'transport-error' as const,
      code: 'timeout' as const,
      sentRequest: true,
      detail: 'no complete reply within 10 ms',
      durationMs: 10,
      credentialGeneration: 1,
    };

    expect(describeLastAnswer(answer)).toEqual({
      errorCode: 'timeout',
      text: 'timeout (the request may have reached the service)',
    });
    const refused = { ...answer, code: 'connection-refused' as const, sentRequest: false };
    expect(describeLastAnswer(refused)).toEqual({
      errorCode: 'connection-refused',
      text: 'connection-refused (the request never reached the service)',
    });
  });
});
