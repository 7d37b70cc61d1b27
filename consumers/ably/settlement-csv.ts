/**
 * The settlement detail CSV (`/seller/balance_accounts/histories/{sno}/download/`, reference a.3): what an
 * integrator reads to know which product orders a month's payout covers and what each paid. UTF-8 with a BOM
 * (Excel's), CRLF or LF line ends, RFC 4180 quoting. Columns are found by header name, with the reference's
 * positions as the fallback for the four it names (5 구분, 6 상품주문번호, 7 결제금액, 12 정산금액, 1-based), so
 * an added or moved column does not shift the money; a file without them is schema drift.
 */
import { SchemaDriftError } from './seller-api.js';

/** One product order of a settlement, as the CSV states it (amounts in won). */
export interface SettlementCsvLine {
  order_item_sno: string;
  order_sno: string;
  category: string;
  payment: number;
  commission: number;
  payment_fee: number;
  coupon_for_ably: number;
  emoney_for_ably: number;
  settlement: number;
  confirmed_at: string;
}

/** header name → the reference's 0-based position when the header is not found (undefined: optional, 0 when absent). */
const COLUMNS: Record<keyof SettlementCsvLine, { names: readonly string[]; at?: number }> = {
  category: { names: ['구분'], at: 4 },
  order_item_sno: { names: ['상품주문번호'], at: 5 },
  payment: { names: ['결제금액'], at: 6 },
  settlement: { names: ['정산금액', '정산금'], at: 11 },
  order_sno: { names: ['주문번호'] },
  commission: { names: ['판매수수료'] },
  payment_fee: { names: ['결제수수료'] },
  coupon_for_ably: { names: ['쿠폰부담금'] },
  emoney_for_ably: { names: ['적립금부담금'] },
  confirmed_at: { names: ['구매확정일'] },
};
const MONEY = new Set<keyof SettlementCsvLine>(['payment', 'commission', 'payment_fee', 'coupon_for_ably', 'emoney_for_ably', 'settlement']);

/** Rows of cells; quoted cells may hold commas, quotes ("") and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [], cell = '', quoted = false;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && body[i + 1] === '\n') i++;
      row.push(cell);
      if (row.length > 1 || row[0] !== '') rows.push(row);
      (row = []), (cell = '');
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

const won = (cell: string | undefined, field: string, line: number): number => {
  const value = Number((cell ?? '0').replace(/[,\s원]/g, '') || '0');
  if (!Number.isFinite(value)) throw new SchemaDriftError(`ably settlement CSV line ${line}: ${field} is not an amount (${JSON.stringify(cell)})`, { context: { field, line } });
  return value;
};

export function parseSettlementCsv(text: string): SettlementCsvLine[] {
  const [header, ...rows] = parseCsv(text);
  if (!header) throw new SchemaDriftError('ably settlement CSV: empty file', { context: {} });
  const names = header.map((h) => h.trim());
  const index = {} as Record<keyof SettlementCsvLine, number | undefined>;
  for (const [field, spec] of Object.entries(COLUMNS) as [keyof SettlementCsvLine, (typeof COLUMNS)[keyof SettlementCsvLine]][]) {
    const named = names.findIndex((n) => spec.names.includes(n));
    index[field] = named >= 0 ? named : spec.at !== undefined && spec.at < names.length ? spec.at : undefined;
    if (index[field] === undefined && spec.at !== undefined) {
      throw new SchemaDriftError(`ably settlement CSV: no ${spec.names[0]} column`, { context: { header: names.slice(0, 20) } });
    }
  }
  return rows.map((cells, i) => {
    const line = {} as Record<keyof SettlementCsvLine, string | number>;
    for (const field of Object.keys(COLUMNS) as (keyof SettlementCsvLine)[]) {
      const at = index[field];
      const cell = at === undefined ? undefined : cells[at];
      line[field] = MONEY.has(field) ? won(cell, field, i + 2) : (cell ?? '').trim();
    }
    if (line.order_item_sno === '') throw new SchemaDriftError(`ably settlement CSV line ${i + 2}: no 상품주문번호`, { context: { cells: cells.slice(0, 14) } });
    return line as unknown as SettlementCsvLine;
  });
}
