/** Proxy URLs (ABLY_PROXIES): parsed once, credentials kept apart, and never shown in an error or the config's. */
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../lib/config.js';
import { parseProxyList, parseProxyUrl, redactProxyUrl } from '../../lib/proxy-url.js';

describe('proxy urls', () => {
  it('parses http://[user:pass@]host:port, keeping the credentials out of the server name', () => {
    assert.deepEqual(parseProxyUrl('http://10.0.0.1:3128'), { server: 'http://10.0.0.1:3128' });
    assert.deepEqual(parseProxyUrl('http://us%40er:p%3Ass@proxy.example:80/'), {
      server: 'http://proxy.example:80', credentials: { username: 'us@er', password: 'p:ss' },
    });
    assert.deepEqual(parseProxyList(' http://a:1 , http://u:p@b:2 ').map((p) => p.server), ['http://a:1', 'http://b:2']);
    assert.deepEqual(parseProxyList(''), []);
    assert.deepEqual(parseProxyList('  '), []);
  });

  it('refuses what is not one, naming the entry without its credentials', () => {
    for (const [text, named] of [
      ['https://u:hunter2@a:1', 'https://***@a:1'],
      ['http://u:hunter2@a', 'http://***@a'],
      ['http://u:hunter2@a:1/path', 'http://***@a:1/path'],
      ['http://u:hunter2@a:99999', 'http://***@a:99999'],
      ['u:hunter2@a:1', '***@a:1'],
      ['http://hunter2@a:1', 'http://***@a:1'],
      ['socks5://a:1', 'socks5://a:1'],
    ] as const) {
      assert.throws(() => parseProxyList(`http://ok:1,${text}`), (error: Error) => error.message.includes(named) && !error.message.includes('hunter2'), text);
    }
    assert.throws(() => parseProxyList('http://a:1,,http://b:2'), /entry 2 is empty/);
    assert.throws(() => parseProxyList('http://a:1,http://u:p@a:1'), /http:\/\/a:1 is listed twice/);
    assert.equal(redactProxyUrl('http://u:p@ss@h:1'), 'http://***@h:1');
  });

  it('ABLY_PROXIES: empty by default; a bad entry stops start-up with one line that holds no password', () => {
    assert.deepEqual(loadConfig({}).ably.proxies, []);
    assert.deepEqual(loadConfig({ ABLY_PROXIES: 'http://u:hunter2@a:1,http://b:2' }).ably.proxies, [
      { server: 'http://a:1', credentials: { username: 'u', password: 'hunter2' } }, { server: 'http://b:2' },
    ]);
    assert.throws(() => loadConfig({ ABLY_PROXIES: 'http://b:2,ftp://u:hunter2@a:1' }), (error: Error) => error instanceof ConfigError
      && /^invalid configuration: ably\.proxies: proxy ftp:\/\/\*\*\*@a:1 must be http:\/\/\[user:pass@\]host:port \(set by ABLY_PROXIES\)$/.test(error.message)
      && !error.message.includes('hunter2'));
  });
});
