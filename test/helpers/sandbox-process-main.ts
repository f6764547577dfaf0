// The child of test/helpers/sandbox-process.ts: every sandbox, configured from the environment,
// calling back the API at argv[2]. It reports its URLs over IPC and stops when the parent disconnects.
import { loadConfig } from '../../config/index.js';
import { startSandboxes } from '../../sandboxes/index.js';
import type { SandboxProcessStarted } from './sandbox-process.js';

const apiUrl = process.argv[2];
if (!apiUrl || !process.send)
  throw new Error('run by spawnSandboxes (test/helpers/sandbox-process.ts) with the API URL');
const sandboxes = await startSandboxes(loadConfig(process.env), apiUrl, { ephemeralPorts: true, all: true });
const started: SandboxProcessStarted = { urls: sandboxes.urls, summary: sandboxes.summary };
process.send(started);
process.once('disconnect', () => {
  void sandboxes.close().then(() => process.exit(0));
});
