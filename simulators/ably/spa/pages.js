/*
 * The simulated seller web app, part 2: the data pages. Each renders from the JSON API. Tables follow
 * Element UI's markup; /sales/order has fixed left columns, so it renders as two tables (the fixed part and the
 * full body) whose rows pair by index, as the real one does (a.2). Page, per_page and the date range are read
 * from the URL, so a crawler can move through pages by address.
 */
(function () {
  'use strict';
  var DAY = 86400000;

  function params() {
    return new URLSearchParams(location.search);
  }
  function tableHtml(app, columns, rows, fixed) {
    var t = app.cfg.cls.table;
    var esc = app.esc;
    function body(cols) {
      var head = '<thead><tr>' + cols.map(function (c) { return '<th><div class="cell">' + esc(c[0]) + '</div></th>'; }).join('') + '</tr></thead>';
      var trs = rows.map(function (r, i) {
        return '<tr class="' + t + '__row" data-index="' + i + '">' + cols.map(function (c) {
          return '<td><div class="cell">' + esc(c[1](r)) + '</div></td>';
        }).join('') + '</tr>';
      }).join('');
      return { head: head, body: '<tbody>' + trs + '</tbody>' };
    }
    var all = body(columns);
    var html = '<div class="' + t + '"><div class="' + t + '__header-wrapper"><table>' + all.head + '</table></div>'
      + '<div class="' + t + '__body-wrapper"><table>' + all.body + '</table></div>';
    if (fixed) {
      var part = body(columns.slice(0, fixed));
      html += '<div class="' + t + '__fixed"><div class="' + t + '__fixed-header-wrapper"><table>' + part.head + '</table></div>'
        + '<div class="' + t + '__fixed-body-wrapper"><table>' + part.body + '</table></div></div>';
    }
    return html + (rows.length === 0 ? '<div class="' + t + '__empty-text">데이터가 없습니다</div>' : '') + '</div>';
  }
  function pager(app, reply) {
    var p = params();
    var link = function (page) {
      p.set('page', String(page));
      return location.pathname + '?' + p.toString();
    };
    var current = Math.min(Number(reply.current_page) || 1, reply.max_page_number || 1);
    return '<div class="el-pagination"><span class="el-pagination__total">총 ' + (reply.total_count == null ? '-' : reply.total_count) + '건</span>'
      + '<a class="btn-prev" href="' + link(Math.max(1, current - 1)) + '">이전</a>'
      + '<span class="el-pager"><span class="number active">' + current + '</span> / <span class="max-page">' + (reply.max_page_number || 1) + '</span></span>'
      + '<a class="btn-next" href="' + link(Math.min(reply.max_page_number || 1, current + 1)) + '">다음</a>'
      + '<span class="el-pagination__sizes">' + [30, 50, 100].map(function (n) {
        p.set('page', '1');
        p.set('per_page', String(n));
        return '<a href="' + location.pathname + '?' + p.toString() + '">' + n + '개씩</a>';
      }).join(' ') + '</span></div>';
  }
  function range(app, days) {
    var p = params();
    var now = app.cfg.nowMs;
    return {
      start: p.get('start_date') || app.kst(now - days * DAY).slice(0, 10) + ' 00:00:00',
      end: p.get('end_date') || app.kst(now),
    };
  }
  function paging() {
    var p = params();
    return { page: p.get('page') || '1', per_page: p.get('per_page') || '30' };
  }
  function won(n) {
    return n == null ? '' : Number(n).toLocaleString('ko-KR') + '원';
  }

  function notices(app) {
    var d = app.cfg.cls.dialog;
    var b = app.cfg.cls.button;
    var texts = ['[공지] 설 연휴 배송 일정 안내', '[안내] 정산 주기 변경 안내'];
    var html = '<div class="v-modal"></div>';
    for (var i = 0; i < app.cfg.notices; i++) {
      html += '<div class="' + d + '__wrapper"><div class="' + d + '" role="dialog"><div class="' + d + '__header"><span class="' + d + '__title">'
        + texts[i % 2] + '</span></div><div class="' + d + '__body">셀러님, 안내 사항을 확인해주세요.</div><div class="' + d + '__footer">'
        + '<button type="button" class="' + b + ' ' + b + '--primary">확인</button></div></div></div>';
    }
    var holder = document.createElement('div');
    holder.className = 'notices';
    holder.innerHTML = html;
    document.body.appendChild(holder);
    holder.querySelectorAll('.' + d + '__footer button').forEach(function (button) {
      button.addEventListener('click', function () {
        button.closest('.' + d + '__wrapper').remove();
        if (!holder.querySelector('.' + d + '__wrapper')) holder.remove();
      });
    });
  }

  var pages = {};
  pages['/dashboard'] = function (app) {
    var el = app.frame('대시보드');
    if (app.cfg.notices > 0) notices(app);
    return app.api('/seller/dashboard/summary/').then(function (s) {
      var c = s.order_counts;
      var cards = [['결제완료', c.paid], ['상품준비중', c.preparing], ['배송중', c.shipping], ['배송완료', c.delivered], ['구매확정', c.confirmed],
        ['취소요청', c.cancel_requested], ['반품요청', c.return_requested], ['교환요청', c.exchange_requested],
        ['미답변 문의', s.unanswered_inquiries], ['오늘 매출', won(s.sales_amount)], ['정산 예정', won(s.settlement_scheduled_amount)]];
      el.className = 'dashboard';
      el.innerHTML = cards.map(function (x) { return '<div class="el-card summary-card"><div class="label">' + x[0] + '</div><div class="value">' + app.esc(x[1]) + '</div></div>'; }).join('');
    });
  };
  /* /sales/order/prepare is the same table preset to paid orders not yet prepared (b.3). */
  function orderPage(title, preset) {
    return function (app) {
      return ordersInto(app, app.frame(title), preset);
    };
  }
  function ordersInto(app, el, preset) {
    var r = range(app, 30);
    var q = Object.assign({ date_type: params().get('date_type') || 'ordered_at', start_date: r.start, end_date: r.end }, preset, paging());
    return app.api('/seller/order_items/', { query: q }).then(function (reply) {
      var cols = [['상품주문번호', function (x) { return x.sno; }], ['주문번호', function (x) { return x.order_sno; }],
        ['주문일시', function (x) { return x.ordered_at; }], ['상태', function (x) { return x.status; }], ['상품명', function (x) { return x.goods_name; }],
        ['옵션', function (x) { return x.option_info; }], ['수량', function (x) { return x.ea; }], ['결제금액', function (x) { return x.exact_amount; }],
        ['주문자', function (x) { return x.buyer_name; }], ['수령인', function (x) { return x.receiver_name; }], ['송장번호', function (x) { return x.invoice; }]];
      el.className = '';
      el.innerHTML = '<div class="filters">' + app.esc(q.start_date) + ' ~ ' + app.esc(q.end_date) + '</div>' + tableHtml(app, cols, reply.order_items, 2) + pager(app, reply);
    });
  }
  pages['/sales/order'] = orderPage('주문 관리', {});
  pages['/sales/order/prepare'] = orderPage('배송 준비', { 'processing_status[]': '1', 'processing_sub_status[]': '0' });
  pages['/sales/claims'] = function (app) {
    var el = app.frame('취소/반품');
    var tab = params().get('tab') === 'return' ? 'return' : 'cancel';
    var r = range(app, 30);
    var q = Object.assign({ cancel_type: tab, date_type: 'cancel_received_at', start_date: r.start, end_date: r.end }, paging());
    return app.api('/seller/order_cancels/', { query: q }).then(function (reply) {
      var cols = [['클레임번호', function (x) { return x.sno; }], ['접수일시', function (x) { return x.cancel_received_at; }],
        ['상태', function (x) { return x.status; }], ['상품명', function (x) { return x.order_items[0].goods_name; }],
        ['사유', function (x) { return x.order_items[0].cancel_reason; }], ['구매자', function (x) { return x.buyer_name; }]];
      el.className = '';
      el.innerHTML = '<div class="el-tabs"><a class="el-tabs__item' + (tab === 'cancel' ? ' is-active' : '') + '" href="?tab=cancel">취소</a>'
        + '<a class="el-tabs__item' + (tab === 'return' ? ' is-active' : '') + '" href="?tab=return">반품</a></div>'
        + tableHtml(app, cols, reply.order_cancels, 0) + pager(app, reply);
    });
  };
  pages['/goods/list'] = function (app) {
    var el = app.frame('상품 관리');
    var p = paging();
    return app.api('/seller/goods/search/', { method: 'POST', body: { page: Number(p.page), per_page: Number(p.per_page) } }).then(function (reply) {
      var cols = [['상품번호', function (x) { return x.sno; }], ['상품명', function (x) { return x.name; }], ['판매가', function (x) { return x.price; }],
        ['옵션 수', function (x) { return x.options.length; }], ['재고', function (x) { return x.options.reduce(function (s, o) { return s + o.stock; }, 0); }],
        ['진열', function (x) { return x.is_display ? '진열' : '미진열'; }], ['등록일', function (x) { return x.created_at; }]];
      el.className = '';
      el.innerHTML = tableHtml(app, cols, reply.goods, 0) + pager(app, reply);
    });
  };
  pages['/business-insight/goods'] = function (app) {
    var el = app.frame('상품 통계');
    var p = params();
    var goodsSno = p.get('goods_sno');
    var start = p.get('start_date') || app.kst(app.cfg.nowMs - 6 * DAY).slice(0, 10);
    var end = p.get('end_date') || app.kst(app.cfg.nowMs).slice(0, 10);
    var first = goodsSno ? Promise.resolve(goodsSno) : app.api('/seller/goods/search/', { method: 'POST', body: { page: 1, per_page: 1 } })
      .then(function (g) { return g.goods[0] && g.goods[0].sno; });
    return first.then(function (sno) {
      var q = Object.assign({ goods_sno: sno, start_date: start, end_date: end }, paging(), { per_page: p.get('per_page') || '100' });
      return app.api('/seller/business-insight/market-performance/option-stats-options/', { query: q }).then(function (reply) {
        var cols = [['날짜', function (x) { return x.date; }], ['옵션번호', function (x) { return x.goods_option_sno; }], ['조회수', function (x) { return x.view_count; }],
          ['주문수', function (x) { return x.order_count; }], ['판매수량', function (x) { return x.sold_quantity; }], ['매출', function (x) { return x.sales_amount; }],
          ['장바구니', function (x) { return x.cart_count; }], ['좋아요', function (x) { return x.like_count; }]];
        el.className = '';
        el.innerHTML = '<div class="filters">상품 ' + app.esc(sno) + ' · ' + start + ' ~ ' + end + '</div>' + tableHtml(app, cols, reply.options, 0) + pager(app, reply);
      });
    });
  };
  pages['/settlement/history'] = function (app) {
    var el = app.frame('정산 내역');
    return app.api('/seller/balance_accounts/histories/').then(function (reply) {
      var list = reply.balance_accounts_histories;
      var cols = [['정산번호', function (x) { return x.sno; }], ['정산기간', function (x) { return x.period_start + ' ~ ' + x.period_end; }],
        ['상태', function (x) { return x.status; }], ['판매금액', function (x) { return x.sales_amount; }], ['정산금액', function (x) { return x.settlement_amount; }],
        ['건수', function (x) { return x.order_count; }]];
      el.className = '';
      el.innerHTML = tableHtml(app, cols, list, 0) + '<div class="downloads">' + list.map(function (x) {
        return '<button type="button" class="' + app.cfg.cls.button + ' download" data-sno="' + x.sno + '">' + x.sno + ' 다운로드</button>';
      }).join('') + '</div>';
      el.querySelectorAll('button.download').forEach(function (button) {
        button.addEventListener('click', function () {
          app.api('/seller/balance_accounts/histories/' + button.dataset.sno + '/download/', { raw: true })
            .then(function (res) { return res.blob(); })
            .then(function (blob) {
              var a = document.createElement('a');
              a.href = URL.createObjectURL(blob);
              a.download = 'settlement_' + button.dataset.sno + '.csv';
              a.click();
            });
        });
      });
    });
  };
  pages['/reviews'] = function (app) {
    var el = app.frame('리뷰 관리');
    var q = Object.assign({ order_by: 'LATEST' }, paging());
    return app.api('/seller/reviews', { query: q }).then(function (reply) {
      var cols = [['리뷰번호', function (x) { return x.sno; }], ['작성일', function (x) { return x.created_at; }], ['평점', function (x) { return x.rating; }],
        ['상품명', function (x) { return x.goods.name; }], ['내용', function (x) { return x.contents; }], ['작성자', function (x) { return x.member.name; }],
        ['답변', function (x) { return x.reply ? '답변완료' : '미답변'; }]];
      el.className = '';
      el.innerHTML = tableHtml(app, cols, reply.reviews, 0) + pager(app, reply);
    });
  };
  window.AblyPages = pages;
})();
