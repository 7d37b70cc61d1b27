/**
 * Money as the API writes it: decimal strings with two decimals (`"12900.00"`, reference §8). Amounts are kept
 * as integer cents of the shop's currency so sums and refunds stay exact.
 */
export function formatMoney(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(Math.round(cents));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** `total_supply_price` is written without decimals in real responses (`"27000"`, §7.1). */
export function formatWholeMoney(cents: number): string {
  return String(Math.round(cents / 100));
}
