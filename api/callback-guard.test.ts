// The callback edge checks on their own (test/relay-poison.test.ts drives them over HTTP).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CallbackRequest, ParsedCallback, StatusEvent } from '../providers/types.js';
import { guardCallbackRequest, guardParsedCallback, MAX_CALLBACK_DEPTH } from './callback-guard.js';
import { HttpError } from './errors.js';

const req = (body: unknown, query: Record<string, string> = {}): CallbackRequest => ({
  method: 'POST',
  query,
  headers: {},
  body,
  rawBody: '',
});
const fieldOf = (fn: () => void): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    assert.ok(err instanceof HttpError && err.statusCode === 400);
    return err.field;
  }
};

describe('callback guard', () => {
  test('tab, CR and LF pass; other C0 controls are refused by their path, keys and query included', () => {
    assert.equal(
      fieldOf(() => guardCallbackRequest(req({ text: 'a\tb\r\nc', rows: [{ id: 'x' }] }))),
      undefined,
    );
    assert.equal(
      fieldOf(() => guardCallbackRequest(req({ rows: [{ id: 'x' }, { id: 'y\u001b' }] }))),
      'rows.1.id',
    );
    assert.equal(
      fieldOf(() => guardCallbackRequest(req({ ['k\u0000']: 1 }))),
      'k\u0000',
    );
    assert.equal(
      fieldOf(() => guardCallbackRequest(req('\u0000'))),
      'body',
    );
    assert.equal(
      fieldOf(() => guardCallbackRequest(req({}, { ref: 'a\u0000' }))),
      'query.ref',
    );
  });

  test('deep nesting is refused without recursion', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    assert.match(fieldOf(() => guardCallbackRequest(req(deep))) ?? '', /^(0\.){31}0$/);
    let ok: unknown = 'leaf';
    for (let i = 0; i < MAX_CALLBACK_DEPTH - 1; i++) ok = { a: ok };
    assert.equal(
      fieldOf(() => guardCallbackRequest(req(ok))),
      undefined,
    );
  });

  test('parsed ids over 256 characters and impossible times are refused', () => {
    const id = 'i'.repeat(257);
    const event = (providerMessageId: string, occurredAt: Date): ParsedCallback => {
      const e: StatusEvent = { provider: 'wappin', providerMessageId, status: 'delivered', occurredAt, raw: {} };
      return { kind: 'status', events: [e] };
    };
    assert.equal(
      fieldOf(() => guardParsedCallback(req({ data: { id } }), event(id, new Date()))),
      'data.id',
    );
    assert.equal(
      fieldOf(() => guardParsedCallback(req({}), event('m', new Date(Number.NaN)))),
      'events.0.occurredAt',
    );
    assert.equal(
      fieldOf(() => guardParsedCallback(req({}), event('m', new Date(Date.UTC(2100, 0, 1))))),
      'events.0.occurredAt',
    );
    assert.equal(
      fieldOf(() => guardParsedCallback(req({}), event('m', new Date()))),
      undefined,
    );
  });
});
