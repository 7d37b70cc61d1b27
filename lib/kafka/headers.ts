/** The headers every tenant-scoped message carries, besides trace context: who and which request. */
import type { IHeaders } from 'kafkajs';

export const HEADER = { TENANT_ID: 'tenantId', REQUEST_ID: 'requestId', CONTRACT: 'contract' } as const;

/** kafkajs gives header values as Buffers (or arrays of them); the runner reads them once, as strings. */
export function readHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first.toString();
  }
  return out;
}

export function jobHeaders(tenantId: string, requestId: string, contract: string): Record<string, string> {
  return { [HEADER.TENANT_ID]: tenantId, [HEADER.REQUEST_ID]: requestId, [HEADER.CONTRACT]: contract };
}
