/**
 * SSRF-shaped mall ids: grants whose mall id would steer the Admin API's host or path (`evil.com#`,
 * `127.0.0.1:80/`, `a/../b`, a cloud metadata address, CRLF, …), next to two real shops. Every hostile tenant's
 * job must end dead in sync.dlq with INVALID_MALL_ID, the consumer process must open no connection but to the
 * simulator and the brokers (its every TCP connect and DNS lookup is recorded), and the real shops sync exactly.
 */
import { DlqEntryContract } from '../../lib/contracts/dlq.js';
import type { Fault, FaultContext, FaultReport } from '../harness/fault.js';
import { emptyReport } from '../harness/fault.js';
import { openStage } from './stage.js';
import { shopsFor } from './common.js';

const HOSTILE_MALL_IDS = [
  'evil.com#', '127.0.0.1:80/', 'a/../b', 'evil.com/', 'shop@evil.com', 'localhost:22', '169.254.169.254', 'ab%2fcd',
  'UPPERCASE1', 'mall id', 'x'.repeat(17), 'a.b.c.d', '', 'abc', '[::1]', 'mall\r\nHost: evil.com', '..', 'mall?x=1', 'mall\\evil',
];

export const ssrfMallIds: Fault = {
  name: 'ssrf-mall-ids',
  description: 'grants with SSRF-shaped mall ids: DLQ INVALID_MALL_ID, no connection but to the simulator',
  async run(ctx: FaultContext): Promise<FaultReport> {
    const report = emptyReport();
    const hostile = HOSTILE_MALL_IDS.map((mallId, i) => ({ tenantId: `t-ssrf-${i}`, mallId }));
    const stage = await openStage(ctx, 'ss', { shops: shopsFor(ctx, 'ss', 2), extraTenants: hostile });
    try {
      const dlq: { tenantId?: string; errorClass: string }[] = [];
      await stage.follow('sync.dlq', (m) => {
        const decoded = DlqEntryContract.decode(m.value);
        if (decoded.ok) dlq.push({ tenantId: decoded.value.tenantId, errorClass: decoded.value.errorClass });
      });
      const sink = stage.startSink();
      const consumer = stage.startConsumer();
      await Promise.all([sink.next('assigned'), consumer.next('joined')]);
      await stage.publish([...stage.tenants, ...hostile].map((t) => t.tenantId));
      await stage.settle(300_000, report);

      for (const t of hostile) {
        const runs = stage.runs.filter((r) => r.tenantId === t.tenantId);
        const entries = dlq.filter((e) => e.tenantId === t.tenantId);
        const shown = JSON.stringify(t.mallId);
        if (runs.length !== 1 || runs[0]!.status !== 'dead' || runs[0]!.errorClass !== 'INVALID_MALL_ID') {
          report.failures.push(`mall id ${shown}: runs ${runs.map((r) => `${r.status}/${r.errorClass ?? ''}`).join(', ') || 'none'}; expected one dead INVALID_MALL_ID`);
        }
        if (entries.length !== 1 || entries[0]!.errorClass !== 'INVALID_MALL_ID') {
          report.failures.push(`mall id ${shown}: ${entries.length} sync.dlq entr(ies) ${entries.map((e) => e.errorClass).join(',')}; expected one INVALID_MALL_ID`);
        }
        report.duplicated += Math.max(0, entries.length - 1);
      }
      const allowed = new Set([`127.0.0.1:${stage.sim.port}`, ...stage.brokers]);
      const connections = stage.consumers.flatMap((c) => c.events.filter((e) => e.event === 'connection').map((e) => e.data as { kind: string; target: string }));
      const elsewhere = connections.filter((c) => c.kind === 'lookup' || !allowed.has(c.target));
      report.details.connections = connections.length;
      report.details.hostile_ids = hostile.length;
      if (elsewhere.length > 0) report.failures.push(`connections beyond the simulator and the brokers: ${[...new Set(elsewhere.map((c) => `${c.kind} ${c.target}`))].join(', ')}`);
      if (!connections.some((c) => c.target === `127.0.0.1:${stage.sim.port}`)) report.failures.push('no connection to the simulator was recorded: the recorder is blind');
      await stage.reconcile(report);
    } finally {
      await stage.close(report);
    }
    return report;
  },
};
