/**
 * Buyers and recipients: personal data generated per member or per guest order. The simulator sends it because
 * the real API does (names, phones, emails, addresses: reference §7.1); the connector must drop it.
 */
import { ADDRESS_DETAILS, ADDRESSES, EMAIL_DOMAINS, GIVEN_NAMES, SURNAMES, SURNAMES_LATIN } from './korean-words.js';
import type { Rng } from './seeded-random.js';

export interface Person {
  name: string;
  /** Romanized handle, the basis of member ids and e-mail addresses. */
  handle: string;
  email: string;
  phone: string;
  cellphone: string;
  zipcode: string;
  address1: string;
  address2: string;
}

export function makePerson(rng: Rng): Person {
  const surnameIndex = rng.int(0, SURNAMES.length - 1);
  const [given, givenLatin] = rng.pick(GIVEN_NAMES);
  const handle = `${givenLatin}${SURNAMES_LATIN[surnameIndex]}${rng.int(1, 999)}`;
  const [province, district, road, zipPrefix] = rng.pick(ADDRESSES);
  return {
    name: `${SURNAMES[surnameIndex]}${given}`,
    handle,
    email: `${handle}@${rng.pick(EMAIL_DOMAINS)}`,
    phone: rng.chance(0.3) ? `02-${rng.int(200, 999)}-${rng.int(1000, 9999)}` : '',
    cellphone: `010-${rng.int(2000, 9999)}-${rng.int(1000, 9999)}`,
    zipcode: `${zipPrefix}${rng.int(10, 99)}`,
    address1: `${province} ${district} ${road} ${rng.int(1, 400)}`,
    address2: rng.pick(ADDRESS_DETAILS),
  };
}
