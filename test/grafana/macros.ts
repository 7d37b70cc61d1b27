/**
 * What Grafana and the grafana-clickhouse-datasource plugin do to a panel's SQL before ClickHouse sees it, so the
 * dashboard test can run the very text a panel sends. The macros as the plugin (v4, pkg/macros) expands them, and
 * template variables as Grafana interpolates them (`$name`, `${name}`, `${name:singlequote}`). Anything left
 * starting with `$` afterwards is an unknown macro or variable: the test fails on it rather than sending it.
 */
export interface PanelScope {
  from: Date;
  to: Date;
  /** Grafana's $__interval in seconds for the panel. */
  intervalS: number;
  /** Variable name → its selected value(s). */
  vars: Record<string, string | string[]>;
}

const seconds = (d: Date) => Math.floor(d.getTime() / 1000);
const day = (d: Date) => d.toISOString().slice(0, 10);
const quote = (v: string) => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export function expandGrafanaSql(sql: string, scope: PanelScope): string {
  const { from, to, intervalS } = scope;
  const macros: [RegExp, (...args: string[]) => string][] = [
    [/\$__timeFilter_ms\(([^)]+)\)/g, (c) => `${c} >= fromUnixTimestamp64Milli(${from.getTime()}) AND ${c} <= fromUnixTimestamp64Milli(${to.getTime()})`],
    [/\$__timeFilter\(([^)]+)\)/g, (c) => `${c} >= toDateTime(${seconds(from)}) AND ${c} <= toDateTime(${seconds(to)})`],
    [/\$__dateFilter\(([^)]+)\)/g, (c) => `${c} >= toDate('${day(from)}') AND ${c} <= toDate('${day(to)}')`],
    [/\$__timeInterval_ms\(([^)]+)\)/g, (c) => `toStartOfInterval(toDateTime64(${c}, 3), INTERVAL ${intervalS * 1000} millisecond)`],
    [/\$__timeInterval\(([^)]+)\)/g, (c) => `toStartOfInterval(toDateTime(${c}), INTERVAL ${intervalS} second)`],
    [/\$__fromTime_ms\b/g, () => `fromUnixTimestamp64Milli(${from.getTime()})`],
    [/\$__toTime_ms\b/g, () => `fromUnixTimestamp64Milli(${to.getTime()})`],
    [/\$__fromTime\b/g, () => `toDateTime(${seconds(from)})`],
    [/\$__toTime\b/g, () => `toDateTime(${seconds(to)})`],
    [/\$__interval_s\b/g, () => String(intervalS)],
  ];
  let out = sql;
  for (const [pattern, expand] of macros) out = out.replace(pattern, (_m, ...groups: string[]) => expand(...groups.map((g) => String(g).trim())));
  out = out.replace(/\$\{(\w+)(?::(\w+))?\}|\$(\w+)\b/g, (match, braced?: string, format?: string, bare?: string) => {
    const name = (braced ?? bare) as string;
    const value = scope.vars[name];
    if (value === undefined) return match;
    const values = Array.isArray(value) ? value : [value];
    if (format === 'singlequote') return values.map(quote).join(',');
    if (format === undefined || format === 'raw') return values.join(',');
    throw new Error(`variable format ${format} is not modelled`);
  });
  const left = /\$\{?[\w:]+\}?/.exec(out);
  if (left) throw new Error(`unexpanded ${left[0]} in:\n${out}`);
  return out;
}
