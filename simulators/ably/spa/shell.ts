/**
 * The HTML the web origin serves: the login page (its form rendered on the server, so a browser without
 * JavaScript would POST it to /login and get nowhere), and the shell every other route shares. The shell carries
 * the app's config: the API origin, the simulated "now" (default date ranges follow simulated time), how many
 * notice dialogs the dashboard shows, and the selector names (renamed under the layout-drift knob).
 */
export interface ShellConfig {
  apiUrl: string;
  nowMs: number;
  notices: number;
  layoutDrift: boolean;
}

export const SELECTORS = {
  normal: { names: { email: 'email', password: 'password' }, cls: { button: 'el-button', table: 'el-table', dialog: 'el-dialog' } },
  drifted: { names: { email: 'login_email', password: 'login_password' }, cls: { button: 'ab-button', table: 'ab-grid', dialog: 'ab-modal' } },
} as const;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function head(title: string, config: ShellConfig): string {
  const selectors = config.layoutDrift ? SELECTORS.drifted : SELECTORS.normal;
  const data = JSON.stringify({ apiUrl: config.apiUrl, nowMs: config.nowMs, notices: config.notices, ...selectors }).replace(/</g, '\\u003c');
  return `<!doctype html><html lang="ko"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">`
    + `<title>${title} | 에이블리 셀러스</title><link rel="stylesheet" href="/assets/app.css">`
    + `<script>window.__ABLY_SIM__ = ${data};</script>`
    + `<script src="/assets/core.js" defer></script><script src="/assets/pages.js" defer></script></head>`;
}

export function loginPage(config: ShellConfig, message = ''): string {
  const s = config.layoutDrift ? SELECTORS.drifted : SELECTORS.normal;
  return `${head('로그인', config)}<body><div id="app" class="login-page"><h1>에이블리 셀러스 로그인</h1>`
    + `<form class="login-form el-form" method="post" action="/login">`
    + `<div class="el-form-item"><input class="el-input__inner" type="email" name="${s.names.email}" placeholder="이메일" autocomplete="username"></div>`
    + `<div class="el-form-item"><input class="el-input__inner" type="password" name="${s.names.password}" placeholder="비밀번호" autocomplete="current-password"></div>`
    + `<div class="el-form-item__error">${escapeHtml(message)}</div>`
    + `<button type="submit" class="${s.cls.button} ${s.cls.button}--primary"><span>로그인</span></button>`
    + `</form></div></body></html>`;
}

export function appShell(title: string, config: ShellConfig): string {
  return `${head(title, config)}<body><div id="app"></div></body></html>`;
}
