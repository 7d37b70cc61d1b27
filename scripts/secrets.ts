/**
 * `npm run secrets -- new-key [--id ID]`: prints a fresh SECRETS_KEYS entry, `keyId:base64(32 bytes)`. To rotate,
 * put the new entry first (it seals new values) and keep the old ones after it (they still open older values).
 */
import { parseCommand, UsageError } from '../lib/cli/command.js';
import { generateKeySpec } from '../lib/secrets.js';

const COMMAND = {
  usage: 'npm run secrets -- new-key [--id ID]',
  description: 'Prints a fresh key for SECRETS_KEYS (AES-256-GCM, secrets at rest). To rotate, put the new key first,\n'
    + 'comma-separated before the old ones: new values are sealed with it, older values still open with theirs.',
  positionals: { 'new-key': 'print `keyId:base64(32 bytes)` on stdout' },
  options: { id: { type: 'string', value: 'ID', description: 'the key id, 1-16 of [A-Za-z0-9_-] (default k<YYYYMMDD>)' } },
} as const;

const { values, positionals } = parseCommand(COMMAND);
if (positionals[0] !== 'new-key' || positionals.length !== 1) throw new UsageError('give one command: new-key');
const id = values.id ?? `k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`;
if (!/^[A-Za-z0-9_-]{1,16}$/.test(id)) throw new UsageError('--id must be 1-16 of [A-Za-z0-9_-]');
process.stdout.write(`${generateKeySpec(id)}\n`);
