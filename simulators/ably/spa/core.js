/*
 * The simulated seller web app, part 1: session cookie, API calls, the login page with its challenge, the
 * router and the page frame. Plain browser JavaScript (no build step, no CDN), served by web-server.ts.
 * Element-UI class names are used where the real app shows them (a.2); `cfg.cls` carries the renamed ones
 * under the layout-drift knob.
 */
(function () {
  'use strict';
  var cfg = window.__ABLY_SIM__;
  var COOKIE = 'ably-seller-admin-jwt-token';

  function getToken() {
    var m = document.cookie.match(new RegExp('(?:^|; )' + COOKIE + '=([^;]*)'));
    return m ? decodeURIComponent(m[1]) : '';
  }
  function setToken(token) {
    document.cookie = COOKIE + '=' + encodeURIComponent(token) + '; path=/; SameSite=Lax';
  }
  function clearToken() {
    document.cookie = COOKIE + '=; path=/; max-age=0';
  }
  function toLogin() {
    clearToken();
    location.replace('/login?redirect=' + encodeURIComponent(location.pathname + location.search));
  }
  function esc(value) {
    return String(value == null ? '' : value).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }
  /* KST wall-clock text of an instant: the API's `YYYY-MM-DD HH:MM:SS`. */
  function kst(ms) {
    return new Date(ms + 9 * 3600000).toISOString().slice(0, 19).replace('T', ' ');
  }
  function showBlocked() {
    document.body.innerHTML = '<div class="block-notice"><h1>비정상적인 접근이 감지되었습니다</h1></div>';
  }

  function api(path, options) {
    options = options || {};
    var query = options.query ? '?' + new URLSearchParams(options.query).toString() : '';
    var headers = { Authorization: 'JWT ' + getToken(), Accept: 'application/json', 'x-token-type': 'ably' };
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch(cfg.apiUrl + path + query, {
      method: options.method || 'GET', headers: headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    }).then(function (res) {
      if (res.status === 401) {
        toLogin();
        throw new Error('세션이 만료되었습니다');
      }
      if (options.raw && res.ok) return res;
      var type = res.headers.get('content-type') || '';
      if (type.indexOf('json') < 0) {
        return res.text().then(function (text) {
          if (text.indexOf('비정상적인 접근') >= 0) showBlocked();
          throw new Error('HTTP ' + res.status);
        });
      }
      return res.json().then(function (json) {
        if (res.status === 403 && json.code === 'blocked') showBlocked();
        if (!res.ok || json.success === false) throw new Error(json.message || json.detail || 'HTTP ' + res.status);
        return json;
      });
    });
  }

  /* The challenge (challenge.ts): a laid-out width and a SubtleCrypto proof of work. */
  function zeroBits(bytes) {
    var bits = 0;
    for (var i = 0; i < bytes.length; i++) {
      if (bytes[i] === 0) { bits += 8; continue; }
      return bits + Math.clz32(bytes[i]) - 24;
    }
    return bits;
  }
  function solveChallenge(challenge) {
    var nonce = challenge.nonce;
    var width = 40 + (parseInt(nonce.slice(0, 2), 16) % 200);
    var padding = parseInt(nonce.slice(2, 3), 16);
    var probeEl = document.createElement('div');
    probeEl.style.cssText = 'position:absolute;visibility:hidden;left:-9999px;top:0;margin:0;border:0;height:1px;'
      + 'box-sizing:content-box;width:' + width + 'px;padding:0 ' + padding + 'px';
    document.body.appendChild(probeEl);
    var probe = Math.round(probeEl.getBoundingClientRect().width);
    probeEl.remove();
    var encoder = new TextEncoder();
    function attempt(counter) {
      return crypto.subtle.digest('SHA-256', encoder.encode(nonce + ':' + probe + ':' + counter)).then(function (digest) {
        return zeroBits(new Uint8Array(digest)) >= challenge.difficulty ? counter : attempt(counter + 1);
      });
    }
    return attempt(0);
  }

  function safeRedirect() {
    var target = new URLSearchParams(location.search).get('redirect') || '/dashboard';
    return target.charAt(0) === '/' && target.charAt(1) !== '/' ? target : '/dashboard';
  }

  function bindLogin() {
    var form = document.querySelector('form.login-form');
    var error = document.querySelector('.el-form-item__error');
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      var button = form.querySelector('button');
      var email = form.querySelector('input[name="' + cfg.names.email + '"]').value;
      var password = form.querySelector('input[name="' + cfg.names.password + '"]').value;
      button.disabled = true;
      error.textContent = '';
      var post = function (path, body) {
        return fetch(cfg.apiUrl + path, { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: JSON.stringify(body) })
          .then(function (res) { return res.json().then(function (json) { return { status: res.status, json: json }; }); });
      };
      post('/seller/login/challenge/', { email: email })
        .then(function (reply) {
          if (reply.status !== 200) throw new Error(reply.json.message || '로그인에 실패했습니다');
          return solveChallenge(reply.json).then(function (answer) {
            return post('/seller/login/', { email: email, password: password, challenge_id: reply.json.challenge_id, challenge_answer: answer });
          });
        })
        .then(function (reply) {
          if (reply.status !== 200 || !reply.json.token) throw new Error(reply.json.message || '로그인에 실패했습니다');
          setToken(reply.json.token);
          location.assign(safeRedirect());
        })
        .catch(function (e) {
          error.textContent = e.message;
          button.disabled = false;
        });
    });
  }

  var NAV = [
    ['/dashboard', '대시보드'], ['/sales/order', '주문 관리'], ['/sales/claims', '취소/반품'], ['/goods/list', '상품 관리'],
    ['/business-insight/goods', '상품 통계'], ['/settlement/history', '정산 내역'], ['/reviews', '리뷰 관리'],
  ];
  function frame(title) {
    var nav = NAV.map(function (n) {
      return '<li class="' + (n[0] === location.pathname ? 'is-active' : '') + '"><a href="' + n[0] + '">' + n[1] + '</a></li>';
    }).join('');
    document.getElementById('app').innerHTML = '<aside class="sidebar"><div class="logo">ABLY 셀러</div><ul class="menu">' + nav
      + '</ul></aside><main class="content"><h2 class="page-title">' + esc(title) + '</h2><div id="page" class="loading">불러오는 중…</div></main>';
    return document.getElementById('page');
  }

  window.AblyApp = { cfg: cfg, api: api, esc: esc, kst: kst, frame: frame, getToken: getToken };

  document.addEventListener('DOMContentLoaded', function () {
    if (location.pathname === '/login') return bindLogin();
    if (!getToken()) return toLogin();
    var page = (window.AblyPages || {})[location.pathname];
    if (!page) return;
    page(window.AblyApp).catch(function (e) {
      var el = document.getElementById('page');
      if (el) el.innerHTML = '<div class="el-alert el-alert--error">' + esc(e.message) + '</div>';
    });
  });
})();
