import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createLogger, jobLogger } from '../../lib/logger.js';

describe('logger', () => {
  it('redacts secrets by path, at any depth we log them', async () => {
    const stream = new PassThrough();
    let out = '';
    stream.on('data', (chunk) => (out += chunk));
    const log = createLogger({ destination: stream });
    log.info({ password: 'p1', tokens: { refreshToken: 'r1', accessToken: 'a1' }, request: { headers: { authorization: 'Bearer b1', cookie: 'c1' } }, tenantId: 't1' }, 'hello');
    log.flush?.();
    await new Promise((resolve) => setImmediate(resolve));
    for (const secret of ['p1', 'r1', 'a1', 'Bearer b1', 'c1']) assert.ok(!out.includes(secret), `${secret} leaked: ${out}`);
    assert.ok(out.includes('"tenantId":"t1"'));
  });

  it('gives job lines their tenant, request and trace ids', async () => {
    const stream = new PassThrough();
    let out = '';
    stream.on('data', (chunk) => (out += chunk));
    jobLogger(createLogger({ destination: stream }), { tenantId: 't9', requestId: 'r9', traceId: 'abc' }).info('x');
    await new Promise((resolve) => setImmediate(resolve));
    const line = JSON.parse(out);
    assert.deepEqual([line.tenantId, line.requestId, line.traceId], ['t9', 'r9', 'abc']);
  });
});
