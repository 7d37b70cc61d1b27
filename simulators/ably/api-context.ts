/** What an API handler gets: the authenticated seller, the request's parameters, and "now". */
import type { PageRequest } from './api-params.js';
import type { SchemaDrift } from './knobs.js';
import type { SellerData } from './seller-registry.js';

export interface ApiContext {
  seed: number;
  nowMs: number;
  seller: SellerData;
  query: URLSearchParams;
  /** Parsed JSON body of a POST/PUT (undefined when absent). */
  body: unknown;
  /** Path parameters, e.g. `sno`. */
  params: Record<string, string>;
  schemaDrift: SchemaDrift;
  /** The canary knob: personal fields hold canaries (payloads.ts). */
  canaries: boolean;
  /** Paging from the given values; throws the 502 of the heavy-page knob when it applies. */
  page(page: unknown, perPage: unknown, defaultPerPage: number): PageRequest;
}

export type ApiResult =
  | { status: number; json: unknown }
  | { status: number; csv: string; filename: string };

export type ApiHandler = (ctx: ApiContext) => ApiResult;
