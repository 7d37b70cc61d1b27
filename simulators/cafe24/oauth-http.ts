/**
 * The OAuth endpoints over HTTP (reference §2): `GET /api/v2/oauth/authorize`, `POST /api/v2/oauth/token`,
 * `POST /api/v2/oauth/revoke`, per mall. The token endpoint takes a form body and client credentials by HTTP
 * Basic (the documented form) or as form fields (the form some guides use; §2.2 says accept both).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { OAUTH_ERRORS, OAuthError } from './errors.js';
import { basicCredentials, readBody, sendJson } from './http-io.js';
import { type ClientCredentials, type TokenAuthority, tokenResponseBody } from './oauth.js';
import type { StatsBook } from './stats.js';

export interface OAuthHttpContext {
  authority: TokenAuthority;
  stats: StatsBook;
}

export function handleAuthorize(ctx: OAuthHttpContext, mallId: string, url: URL, res: ServerResponse): void {
  const q = url.searchParams;
  try {
    if (q.get('response_type') !== 'code') throw OAUTH_ERRORS.unsupportedResponseType();
    const clientId = q.get('client_id');
    const redirectUri = q.get('redirect_uri');
    if (!clientId) throw OAUTH_ERRORS.missingParameter('client_id');
    if (!redirectUri) throw OAUTH_ERRORS.missingParameter('redirect_uri');
    // The seller's login and consent are taken as given: the simulator approves at once.
    const code = ctx.authority.issueCode(mallId, { clientId, redirectUri, scope: q.get('scope') ?? undefined });
    const location = new URL(redirectUri);
    location.searchParams.set('code', code);
    const state = q.get('state');
    if (state !== null) location.searchParams.set('state', state);
    res.writeHead(302, { Location: location.toString(), 'Content-Length': 0 });
    res.end();
  } catch (error) {
    sendOAuthError(res, error);
  }
}

export async function handleToken(ctx: OAuthHttpContext, mallId: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const form = await readForm(req);
    const credentials = clientCredentials(req, form);
    const grantType = form.get('grant_type') ?? '';
    let grant;
    if (grantType === 'authorization_code') {
      const code = requireField(form, 'code');
      grant = ctx.authority.exchangeCode(mallId, credentials, code, requireField(form, 'redirect_uri'));
      ctx.stats.of(mallId).tokensIssued += 1;
    } else if (grantType === 'refresh_token') {
      grant = ctx.authority.refresh(mallId, credentials, requireField(form, 'refresh_token'));
      ctx.stats.of(mallId).refreshes += 1;
    } else {
      throw OAUTH_ERRORS.unsupportedGrantType(grantType);
    }
    sendJson(res, 200, tokenResponseBody(grant), { 'Cache-Control': 'no-store' });
  } catch (error) {
    ctx.stats.of(mallId).tokenErrors += 1;
    sendOAuthError(res, error);
  }
}

export async function handleRevoke(ctx: OAuthHttpContext, mallId: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const form = await readForm(req);
    ctx.authority.revoke(mallId, clientCredentials(req, form), requireField(form, 'token'));
    res.writeHead(200, { 'Content-Length': 0 });
    res.end();
  } catch (error) {
    sendOAuthError(res, error);
  }
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (contentType !== 'application/x-www-form-urlencoded') throw OAUTH_ERRORS.badContentType();
  return new URLSearchParams(await readBody(req));
}

function clientCredentials(req: IncomingMessage, form: URLSearchParams): ClientCredentials {
  const basic = basicCredentials(req.headers.authorization);
  if (basic) return basic;
  const clientId = form.get('client_id');
  const clientSecret = form.get('client_secret');
  if (!clientId) throw OAUTH_ERRORS.invalidClientId();
  if (clientSecret === null) throw OAUTH_ERRORS.invalidClientSecret();
  return { clientId, clientSecret };
}

function requireField(form: URLSearchParams, name: string): string {
  const value = form.get(name);
  if (!value) throw OAUTH_ERRORS.missingParameter(name);
  return value;
}

function sendOAuthError(res: ServerResponse, error: unknown): void {
  if (error instanceof OAuthError) {
    sendJson(res, error.status, error.body());
    return;
  }
  sendJson(res, 400, { error: 'invalid_request', error_description: error instanceof Error ? error.message : String(error) });
}
