/**
 * Versioned schema migrations: numbered files `schema/NNN-name.sql`, applied in order, each recorded in
 * `schema_migrations` (version, name, checksum, applied_at) of the warehouse's database.
 *   - Applying twice changes nothing: recorded versions are skipped.
 *   - An applied file that changed since fails loudly (checksum): schema changes are new files, never edits.
 *   - A file holds one statement, or several separated by a line `--> statement-breakpoint` (a server takes one
 *     statement per request, so we never split on `;`, which may sit inside a string or a comment).
 *   - Statements must be idempotent (CREATE … IF NOT EXISTS, ADD COLUMN IF NOT EXISTS): ClickHouse has no
 *     transactional DDL, so a file that failed half-way is re-run from its first statement, and two processes
 *     migrating at once both run it (schema_migrations is a ReplacingMergeTree on version: one row survives).
 * Table names stay unqualified, so the same files build any database the warehouse is bound to.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NonRetriableError } from '../errors.js';
import type { Warehouse } from './warehouse.js';

export const SCHEMA_DIR = fileURLToPath(new URL('./schema/', import.meta.url));
export const STATEMENT_BREAKPOINT = '--> statement-breakpoint';
const FILE_NAME = /^(\d{3,})-([a-z0-9][a-z0-9-]*)\.sql$/;

export interface Migration {
  version: number;
  name: string;
  /** sha256 of the file's text with line endings normalised to \n. */
  checksum: string;
  statements: string[];
}

export interface MigrateResult {
  /** Applied by this call, in order. */
  applied: Migration[];
  /** Already recorded before this call. */
  skipped: Migration[];
}

/** A migration that cannot be applied as written: drift, duplicate or misnamed file. Fix the files. */
export class MigrationError extends NonRetriableError {
  override readonly code = 'MIGRATION';
}

const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version UInt32,
  name String,
  checksum String,
  applied_at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree
ORDER BY version`;

/** Reads `dir` (default: this module's schema/) into migrations sorted by version. */
export async function loadMigrations(dir: string = SCHEMA_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((file) => file.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = FILE_NAME.exec(file);
    if (!match) throw new MigrationError(`migration file ${file} is not named NNN-lower-kebab-name.sql`);
    const text = (await readFile(join(dir, file), 'utf8')).replace(/\r\n/g, '\n');
    migrations.push({
      version: Number(match[1]),
      name: match[2] as string,
      checksum: createHash('sha256').update(text).digest('hex'),
      statements: splitStatements(text),
    });
  }
  migrations.sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]?.version === migrations[i - 1]?.version) {
      throw new MigrationError(`two migration files share version ${migrations[i]?.version} in ${dir}`);
    }
  }
  return migrations;
}

/** Statements of a file: split on breakpoint lines, trailing `;` dropped, comment-only parts skipped. */
export function splitStatements(text: string): string[] {
  return text
    .split(new RegExp(`^\\s*${STATEMENT_BREAKPOINT}\\s*$`, 'm'))
    .map((part) => part.trim().replace(/;\s*$/, ''))
    .filter((part) => part.replace(/^\s*--.*$/gm, '').trim() !== '');
}

/** Applies what is not yet recorded; fails before applying anything if an applied file changed. */
export async function migrate(warehouse: Warehouse, options: { dir?: string } = {}): Promise<MigrateResult> {
  const migrations = await loadMigrations(options.dir);
  await warehouse.command(MIGRATIONS_TABLE);
  const recorded = new Map(
    (
      await warehouse.query<{ version: number; name: string; checksum: string }>(
        'SELECT version, name, checksum FROM schema_migrations FINAL',
      )
    ).map((row) => [Number(row.version), row]),
  );
  for (const migration of migrations) {
    const row = recorded.get(migration.version);
    if (row !== undefined && row.checksum !== migration.checksum) {
      throw new MigrationError(
        `migration ${label(migration)} changed after it was applied to ${warehouse.database} ` +
          `(recorded checksum ${row.checksum.slice(0, 12)}…, file ${migration.checksum.slice(0, 12)}…): ` +
          'never edit an applied migration; add a new one',
      );
    }
  }
  const result: MigrateResult = { applied: [], skipped: [] };
  for (const migration of migrations) {
    if (recorded.has(migration.version)) {
      result.skipped.push(migration);
      continue;
    }
    for (const statement of migration.statements) await warehouse.command(statement);
    const { version, name, checksum } = migration;
    await warehouse.insert('schema_migrations', [{ version, name, checksum, applied_at: new Date() }]);
    result.applied.push(migration);
  }
  return result;
}

function label(migration: Migration): string {
  return `${String(migration.version).padStart(3, '0')}-${migration.name}`;
}
