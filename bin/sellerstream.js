#!/usr/bin/env node
// `sellerstream …`: runs the TypeScript entry (producers/cli/main.ts) through tsx in this process, no build step.
import { register } from 'tsx/esm/api';

register();
await import('../producers/cli/main.ts');
