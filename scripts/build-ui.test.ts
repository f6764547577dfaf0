// Building the dashboard must not change the environment `npm start` gives its children.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildUi } from './build-ui.js';

test('building the dashboard leaves NODE_ENV as it was (unset, or set)', async () => {
  const before = process.env.NODE_ENV;
  try {
    delete process.env.NODE_ENV;
    await buildUi();
    assert.equal(process.env.NODE_ENV, undefined);
    process.env.NODE_ENV = 'development';
    await buildUi();
    assert.equal(process.env.NODE_ENV, 'development');
  } finally {
    if (before === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = before;
  }
});
