/** Sealed credentials on the real broker: key rotation re-seals a value with the current key when it is read. */
import assert from 'node:assert/strict';
import { CredentialsContract, credentialsKey } from '../../../lib/contracts/credentials.js';
import { createCredentialsStore } from '../../../lib/credentials/credentials-store.js';
import { createKeyring, generateKeySpec } from '../../../lib/secrets.js';
import { waitFor } from '../../../lib/wait-for.js';
import { drainTopic, testKafka, testLogger, type TestKafka } from '../../helpers/kafka.js';

describe('credentials store', function () {
  this.timeout(60_000);
  let kafka: TestKafka;
  before(async () => {
    kafka = await testKafka('creds');
    await kafka.createTopics([{ name: 'credentials', partitions: 2 }]);
  });
  after(() => kafka?.close());

  const sealedKeyIds = async () => (await drainTopic(kafka, 'credentials'))
    .filter((m) => m.key?.toString() === credentialsKey('t-1', 'cafe24'))
    .map((m) => { const d = CredentialsContract.decode(m.value); return d.ok ? d.value.sealed.split('.')[0] : 'invalid'; });

  it('re-seals a value sealed with an older key when it is read, and it opens the same', async () => {
    const old = generateKeySpec('old');
    const current = generateKeySpec('new');
    const before = createCredentialsStore({ kafka, keyring: createKeyring(old), readerId: 'a', logger: testLogger() });
    await before.start();
    await before.put('t-1', 'cafe24', { refreshToken: 'r-1' });
    await before.stop();
    assert.deepEqual(await sealedKeyIds(), ['old']);

    const rotated = createCredentialsStore({ kafka, keyring: createKeyring(`${current},${old}`), readerId: 'b', logger: testLogger() });
    await rotated.start();
    try {
      assert.deepEqual(await rotated.get('t-1', 'cafe24'), { refreshToken: 'r-1' });
      await waitFor(async () => (await sealedKeyIds()).at(-1) === 'new', { deadlineMs: 10_000, description: 'the re-sealed copy' });
      assert.deepEqual(await rotated.get('t-1', 'cafe24'), { refreshToken: 'r-1' });
      assert.deepEqual(await sealedKeyIds(), ['old', 'new'], 'a current value is not re-sealed again');
    } finally {
      await rotated.stop();
    }
    const onlyNew = createCredentialsStore({ kafka, keyring: createKeyring(current), readerId: 'c', logger: testLogger() });
    await onlyNew.start();
    try {
      assert.deepEqual(await onlyNew.get('t-1', 'cafe24'), { refreshToken: 'r-1' }, 'the old key can go');
    } finally {
      await onlyNew.stop();
    }
  });
});
