#!/usr/bin/env node
// Launcher of the `kurir` command: runs the TypeScript entry point through tsx's ESM loader.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
