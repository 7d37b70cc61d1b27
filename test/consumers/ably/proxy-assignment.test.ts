/**
 * Rendezvous assignment of sellers to proxies, pure: the same seller always gets the same proxy whatever the
 * configured order, 10,000 sellers spread as evenly as chance allows (within 3 standard deviations), and removing or adding one proxy moves only the
 * sellers of that proxy.
 */
import assert from 'node:assert/strict';
import { createProxyAssignment, DIRECT } from '../../../consumers/ably/proxy-assignment.js';
import type { ProxyEndpoint } from '../../../lib/proxy-url.js';

const proxy = (n: number): ProxyEndpoint => ({ server: `http://10.0.0.${n}:3128` });
const SELLERS = Array.from({ length: 10_000 }, (_, i) => `tenant-${i}`);
const assign = (proxies: ProxyEndpoint[]) => {
  const assignment = createProxyAssignment(proxies);
  return new Map(SELLERS.map((s) => [s, assignment.proxyFor(s)!.server]));
};

describe('ably proxy assignment', () => {
  it('without proxies every seller connects directly', () => {
    assert.equal(DIRECT.proxyFor('tenant-1'), undefined);
    assert.equal(createProxyAssignment([]).proxyFor('tenant-1'), undefined);
  });

  it('is stable: the same seller gets the same proxy, in any configured order and in another instance', () => {
    const proxies = [1, 2, 3, 4, 5].map(proxy);
    const first = assign(proxies);
    assert.deepEqual(assign([...proxies].reverse()), first);
    assert.deepEqual(assign(proxies.map((p) => ({ ...p, credentials: { username: 'u', password: 'rotated' } }))), first, 'a new password moves nobody');
  });

  // A perfect random assignment spreads with the binomial's standard deviation: 10,000 sellers over n proxies land
  // within 3 sd of even, which is 3 % for 2 proxies, 6 % for 5 and 9 % for 10 (measured: 0.6 %, 4.4 %, 7.1 %).
  it('spreads 10,000 sellers as evenly as chance allows over 2, 5 and 10 proxies', () => {
    for (const n of [2, 5, 10]) {
      const counts = new Map<string, number>();
      for (const server of assign(Array.from({ length: n }, (_, i) => proxy(i + 1))).values()) counts.set(server, (counts.get(server) ?? 0) + 1);
      assert.equal(counts.size, n);
      const even = SELLERS.length / n;
      const sd = Math.sqrt(SELLERS.length * (1 / n) * (1 - 1 / n));
      for (const [server, count] of counts) assert.ok(Math.abs(count - even) <= 3 * sd, `${server}: ${count} of ${SELLERS.length} over ${n} (even ${even}, sd ${sd.toFixed(0)})`);
    }
  });

  it('removing a proxy moves only its sellers, and adding it back moves only them back', () => {
    const all = [1, 2, 3, 4, 5].map(proxy);
    const before = assign(all);
    const after = assign(all.filter((p) => p.server !== proxy(3).server));
    let moved = 0;
    for (const seller of SELLERS) {
      if (before.get(seller) === proxy(3).server) {
        moved += 1;
        assert.notEqual(after.get(seller), proxy(3).server);
      } else {
        assert.equal(after.get(seller), before.get(seller), `${seller} stays where it was`);
      }
    }
    assert.ok(moved > 0.15 * SELLERS.length && moved < 0.25 * SELLERS.length, `about a fifth moved: ${moved}`);
    assert.deepEqual(assign(all), before);
  });

  it('a new proxy takes about 1/n of the sellers, all of them from the others, none shuffled between the others', () => {
    const four = [1, 2, 3, 4].map(proxy);
    const before = assign(four);
    const after = assign([...four, proxy(5)]);
    let gained = 0;
    for (const seller of SELLERS) {
      if (after.get(seller) === proxy(5).server) gained += 1;
      else assert.equal(after.get(seller), before.get(seller));
    }
    assert.ok(Math.abs(gained - SELLERS.length / 5) / (SELLERS.length / 5) < 0.05, `the new proxy took ${gained}`);
  });
});
