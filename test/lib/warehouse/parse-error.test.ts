/**
 * parseError on real failure texts, captured by triggering each failure:
 *   - chDB: chdb 3.4.0 (libchdb 26.7.2.1), async and sync paths, queries and raw inserts;
 *   - server 18.16.1 (Debian's clickhouse-server) over HTTP, as @clickhouse/client hands the body on;
 *   - current servers: the cluster-wrapped sample of clickhouse-js's own unit tests, through its parseError,
 *     as its HTTP layer does before we see the error.
 */
import assert from 'node:assert/strict';
import { parseError as clickhouseJsParseError } from '@clickhouse/client';
import { WarehouseUnavailableError } from '../../../lib/errors.js';
import {
  WarehouseRejectedError,
  WarehouseRetriableError,
  parseClickHouseException,
  parseError,
} from '../../../lib/warehouse/parse-error.js';

/** [label, text, code, type, retriable, message starts with] */
type Case = [string, string, number, string, boolean, string];

const CHDB: Case[] = [
  [
    'unknown table (async)',
    "Code: 60. DB::Exception: Unknown table expression identifier 'nope' in scope SELECT * FROM nope. Maybe you meant system.one?. (UNKNOWN_TABLE)",
    60, 'UNKNOWN_TABLE', true, "Unknown table expression identifier 'nope'",
  ],
  [
    'unknown table (sync path prefix)',
    "Query failed: Code: 60. DB::Exception: Unknown table expression identifier 'bench.nope' in scope SELECT * FROM bench.nope. Maybe you meant system.one?. (UNKNOWN_TABLE)",
    60, 'UNKNOWN_TABLE', true, "Unknown table expression identifier 'bench.nope'",
  ],
  [
    'insert into unknown table',
    'Code: 60. DB::Exception: Table bench.nope does not exist. Maybe you meant system.one?. (UNKNOWN_TABLE)',
    60, 'UNKNOWN_TABLE', true, 'Table bench.nope does not exist.',
  ],
  [
    'unknown database',
    'Code: 81. DB::Exception: Database nodb does not exist. (UNKNOWN_DATABASE)',
    81, 'UNKNOWN_DATABASE', true, 'Database nodb does not exist.',
  ],
  [
    'syntax error with a parenthesised fragment before the type',
    'Code: 62. DB::Exception: Syntax error: failed at position 7 (1): 1. Expected one of: token sequence, Dot, token, OR, AND, IS NOT DISTINCT FROM, alias, AS, identifier, Comma, FROM, PREWHERE, WHERE, GROUP BY, WITH, HAVING, WINDOW, QUALIFY, ORDER BY, LIMIT, OFFSET, FETCH, SETTINGS, end of query. (SYNTAX_ERROR)',
    62, 'SYNTAX_ERROR', false, 'Syntax error: failed at position 7 (1): 1.',
  ],
  [
    'illegal types',
    "Code: 43. DB::Exception: Illegal types UInt8 and String of arguments of function plus: In scope SELECT 1 + 'a'. (ILLEGAL_TYPE_OF_ARGUMENT)",
    43, 'ILLEGAL_TYPE_OF_ARGUMENT', false, 'Illegal types UInt8 and String',
  ],
  [
    'bad bound parameter',
    "Code: 457. DB::Exception: Value abc cannot be parsed as UInt8 for query parameter 'x' because it isn't parsed completely: only 0 of 3 bytes was parsed: . (BAD_QUERY_PARAMETER)",
    457, 'BAD_QUERY_PARAMETER', false, 'Value abc cannot be parsed as UInt8',
  ],
  [
    'max_execution_time',
    'Code: 159. DB::Exception: Timeout exceeded: elapsed 300.000 ms, maximum: 300 ms: While executing NumbersRange. (TIMEOUT_EXCEEDED)',
    159, 'TIMEOUT_EXCEEDED', true, 'Timeout exceeded: elapsed 300.000 ms',
  ],
  [
    'wrapped twice, with version markers',
    "Code: 115. DB::Exception: Code: 115. DB::Exception: Unknown setting 'default_database': Maybe you meant ['promql_database']. (UNKNOWN_SETTING) (version 26.7.2.1). (UNKNOWN_SETTING)",
    115, 'UNKNOWN_SETTING', false, "Unknown setting 'default_database'",
  ],
  [
    'raw insert of unparsable data (JSONCompactEachRow, with a row diagnostic inside)',
    'Code: 27. DB::Exception: Code: 27. DB::Exception: Cannot parse input: expected \'"\' before: \'abc"]\\n\': (while reading the value of key id): (at row 1)\n: \nRow 1:\nColumn 0,   name: id, type: UInt32, parsed text: "<DOUBLE QUOTE>"ERROR\nCode: 27. DB::Exception: Cannot parse input: expected \'"\' before: \'abc"]\\n\': (while reading the value of key id). (CANNOT_PARSE_INPUT_ASSERTION_FAILED) (version 26.7.2.1)\n\n: While executing ParallelParsingBlockInputFormat: data for INSERT was parsed from query. (CANNOT_PARSE_INPUT_ASSERTION_FAILED) (version 26.7.2.1). (CANNOT_PARSE_INPUT_ASSERTION_FAILED)',
    27, 'CANNOT_PARSE_INPUT_ASSERTION_FAILED', false, 'Cannot parse input: expected \'"\'',
  ],
  [
    'unknown JSON field',
    'Code: 117. DB::Exception: Unknown field found while parsing JSONEachRow format: idx: (at row 1)\n: While executing ParallelParsingBlockInputFormat. (INCORRECT_DATA)',
    117, 'INCORRECT_DATA', false, 'Unknown field found while parsing JSONEachRow format: idx',
  ],
];

const SERVER_18_16: Case[] = [
  [
    'unknown table',
    "Code: 60, e.displayText() = DB::Exception: Table default.nope doesn't exist., e.what() = DB::Exception",
    60, 'UNKNOWN_TABLE', true, "Table default.nope doesn't exist.",
  ],
  [
    'unknown database',
    "Code: 81, e.displayText() = DB::Exception: Database nodb doesn't exist, e.what() = DB::Exception",
    81, 'UNKNOWN_DATABASE', true, "Database nodb doesn't exist",
  ],
  [
    'syntax error',
    'Code: 62, e.displayText() = DB::Exception: Syntax error: failed at position 1: SELEC 1. Expected one of: SYSTEM query, SELECT subquery, DESC, KILL QUERY, DETACH, DROP, ATTACH, list of elements, ALTER query, SET, SHOW, USE, CREATE TABLE or ATTACH TABLE query, SELECT query, possibly with UNION, SHOW [TEMPORARY] TABLES|DATABASES [[NOT] LIKE \'str\'], SELECT query, subquery, possibly with UNION, DESCRIBE, Query, e.what() = DB::Exception',
    62, 'SYNTAX_ERROR', false, 'Syntax error: failed at position 1: SELEC 1.',
  ],
  [
    'bound parameters are unknown to 18.x',
    'Code: 115, e.displayText() = DB::Exception: Unknown setting param_x, e.what() = DB::Exception',
    115, 'UNKNOWN_SETTING', false, 'Unknown setting param_x',
  ],
  [
    'max_execution_time',
    'Code: 159, e.displayText() = DB::Exception: Timeout exceeded: elapsed 1.000000029 seconds, maximum: 1, e.what() = DB::Exception',
    159, 'TIMEOUT_EXCEEDED', true, 'Timeout exceeded: elapsed 1.000000029 seconds',
  ],
  [
    'unparsable insert data',
    'Code: 27, e.displayText() = DB::Exception: Cannot parse input: expected " before: abc"}: (while read the value of key id): (at row 1)\n, e.what() = DB::Exception',
    27, 'CANNOT_PARSE_INPUT_ASSERTION_FAILED', false, 'Cannot parse input: expected " before: abc"}',
  ],
];

function check([label, text, code, type, retriable, start]: Case, error: unknown): void {
  const parsed = parseError(error);
  assert.equal(parsed.clickhouseCode, code, label);
  assert.equal(parsed.type, type, label);
  assert.equal(parsed.retriable, retriable, label);
  assert.ok(parsed instanceof (retriable ? WarehouseRetriableError : WarehouseRejectedError), label);
  assert.ok(parsed.message.startsWith(start), `${label}: message was ${JSON.stringify(parsed.message)}`);
  assert.ok(!/\(version /.test(parsed.message), `${label}: no version marker left in ${JSON.stringify(parsed.message)}`);
  assert.equal(parsed.cause, error, `${label}: the original error is the cause`);
  assert.ok(text.length > 0);
}

describe('parseError', function () {
  describe('chDB texts', function () {
    for (const testCase of CHDB) {
      it(testCase[0], function () {
        // As chDB throws them: an Error whose message is the engine text (clickhouseCode is not always set).
        check(testCase, new Error(testCase[1]));
      });
    }
  });

  describe('clickhouse-server 18.16 texts (no (TYPE) marker: names come from the code)', function () {
    for (const testCase of SERVER_18_16) {
      it(testCase[0], function () {
        // @clickhouse/client cannot parse 18.x bodies and passes them on as a plain Error.
        const handedOn = clickhouseJsParseError(testCase[1]);
        check(testCase, handedOn);
      });
    }
  });

  it("current servers: clickhouse-js's ClickHouseError, cluster-wrapped, with a nested '(official build)'", function () {
    const text =
      'Code: 57. DB::Exception: There was an error on [clickhouse1:9000]: Code: 57. DB::Exception: Table default.command_test_2a751694160745f5aebe586c90b27515 already exists. (TABLE_ALREADY_EXISTS) (version 23.1.2.9 (official build)). (TABLE_ALREADY_EXISTS) (version 23.1.2.9 (official build))';
    const theirs = clickhouseJsParseError(text);
    const ours = parseError(theirs);
    assert.ok(ours instanceof WarehouseRejectedError);
    assert.equal(ours.clickhouseCode, 57);
    assert.equal(ours.type, 'TABLE_ALREADY_EXISTS');
    // Our regex reads the raw text the same way.
    assert.deepEqual(parseClickHouseException(text), {
      code: 57,
      type: 'TABLE_ALREADY_EXISTS',
      message: 'Table default.command_test_2a751694160745f5aebe586c90b27515 already exists.',
    });
  });

  it('classifies by code when only the engine-parsed code is known (chDB clickhouseCode)', function () {
    const error = Object.assign(new Error('Too many parts (300) in all partitions in total'), { clickhouseCode: 252 });
    const parsed = parseError(error);
    assert.ok(parsed instanceof WarehouseRetriableError);
    assert.ok(parsed instanceof WarehouseUnavailableError, 'retriable warehouse errors are WarehouseUnavailableError');
    assert.equal(parsed.type, 'TOO_MANY_PARTS');
    assert.equal(parsed.code, 'WAREHOUSE_UNAVAILABLE');
  });

  it('names an unlisted code CODE_<n> and rejects it', function () {
    const parsed = parseError(new Error('Code: 4242, e.displayText() = DB::Exception: something new, e.what() = DB::Exception'));
    assert.equal(parsed.type, 'CODE_4242');
    assert.equal(parsed.retriable, false);
  });

  describe('transport failures are retriable', function () {
    it('a refused connection (as @clickhouse/client rejects)', function () {
      const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
      const parsed = parseError(refused);
      assert.ok(parsed instanceof WarehouseRetriableError);
      assert.equal(parsed.type, 'ECONNREFUSED');
      assert.equal(parsed.clickhouseCode, 0);
    });

    it('a socket error nested as a cause', function () {
      const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
      assert.equal(parseError(new Error('fetch failed', { cause: reset })).type, 'ECONNRESET');
    });

    it("@clickhouse/client's request timeout", function () {
      const parsed = parseError(new Error('Timeout error.'));
      assert.ok(parsed instanceof WarehouseRetriableError);
      assert.equal(parsed.type, 'TIMEOUT');
    });

    it("chDB's timeout and closed-session errors", function () {
      const timeout = Object.assign(
        new Error('Query timed out after 200ms (the underlying computation may still run in the background)'),
        { code: 'CHDB_TIMEOUT' },
      );
      assert.equal(parseError(timeout).type, 'TIMEOUT');
      const closed = Object.assign(new Error('No active connection available'), { code: 'CHDB_CLOSED' });
      assert.equal(parseError(closed).retriable, true);
    });
  });

  it("rejects chDB's own bind errors (no ClickHouse code)", function () {
    const bind = Object.assign(new Error('Refusing to serialize unsafe integer 9007199254740993 (beyond ±2^53)'), {
      code: 'CHDB_BIND',
    });
    assert.ok(parseError(bind) instanceof WarehouseRejectedError);
  });

  it('returns a WarehouseError unchanged and wraps a foreign error as retriable', function () {
    const already = parseError(new Error('Code: 62. DB::Exception: x. (SYNTAX_ERROR)'));
    assert.equal(parseError(already), already);
    const foreign = parseError(new TypeError('boom'));
    assert.ok(foreign instanceof WarehouseRetriableError);
    assert.equal(foreign.type, 'TypeError');
  });

  it('stays fast on huge and adversarial messages (no catastrophic backtracking)', function () {
    const texts = [
      `Code: 27. DB::Exception: Cannot parse input: ${'(x) '.repeat(200_000)}`,
      // Many type-like markers that do not end the message: exponential with an ambiguous type pattern.
      `Code: 1. DB::Exception: ${' (ABCD)'.repeat(2_000)} tail`,
      'Code: 1, '.repeat(2_000), // no "Exception: " at all: no match, found as fast
    ];
    for (const text of texts) {
      const started = performance.now();
      parseClickHouseException(text);
      assert.ok(performance.now() - started < 500, `parsed ${text.slice(0, 30)}… within 500 ms`);
    }
  });
});
