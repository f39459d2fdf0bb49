#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so `npx strangler` works right after `npm ci`
// with no build step to forget and no stale output to drift from src/.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
