// LOG_FORMAT: pretty lines on a development terminal, JSON everywhere else (issue #21 item 5).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logFormat } from './logger.js';

test('unset LOG_FORMAT: pretty on a terminal in development, JSON when piped or not in development', () => {
  assert.equal(logFormat({}, true), 'pretty');
  assert.equal(logFormat({ NODE_ENV: 'development' }, true), 'pretty');
  assert.equal(logFormat({ NODE_ENV: 'development' }, false), 'json');
  assert.equal(logFormat({ NODE_ENV: 'test' }, true), 'json');
  assert.equal(logFormat({ NODE_ENV: 'production' }, true), 'json');
});

test('LOG_FORMAT wins over the terminal and PRETTY_LOGS; production is JSON whatever is asked', () => {
  assert.equal(logFormat({ LOG_FORMAT: 'json' }, true), 'json');
  assert.equal(logFormat({ LOG_FORMAT: 'pretty' }, false), 'pretty');
  assert.equal(logFormat({ LOG_FORMAT: 'json', PRETTY_LOGS: true }, true), 'json');
  assert.equal(logFormat({ PRETTY_LOGS: false }, true), 'json');
  assert.equal(logFormat({ PRETTY_LOGS: true }, false), 'pretty');
  assert.equal(logFormat({ NODE_ENV: 'production', LOG_FORMAT: 'pretty' }, true), 'json');
});
