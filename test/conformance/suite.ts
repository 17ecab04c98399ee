/**
 * The connector conformance suite (DESIGN.md section 8): every connector registers it from its own
 * tests with an adapter, and must pass: start/stop, idempotent stop, nothing stored after stop,
 * restart after the peer goes away, bad input skipped and reported, and no loss (or duplicates,
 * as its guarantee says) under parallel load. Each test makes its own context and peer and
 * bounds every wait.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamingContext, type DStream } from '@sluice/core';
import type { ConformancePeer, ConnectorAdapter } from './adapter.js';
import { collect, listenForReports, multiset, sleep, waitUntil, type ReportLog } from './harness.js';

const WAIT_MS = 20_000;
const silent = { debug() {}, info() {}, warn() {}, error() {} };

interface Running<S, P> {
  ssc: StreamingContext;
  peer: P;
  stream: S;
  out: string[];
  reports: ReportLog;
}

function records(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}-${i}`);
}

function has(out: readonly string[], expected: readonly string[]): boolean {
  const got = multiset(out);
  return expected.every((r) => (got.get(r) ?? 0) > 0);
}

function summary(out: readonly string[]): string {
  return `${out.length} records received, last: ${JSON.stringify(out.slice(-3))}`;
}

/** Registers the conformance tests for `adapter` (call at the top level of a *.test.ts file). */
export function connectorConformance<S extends DStream<string>, P extends ConformancePeer>(adapter: ConnectorAdapter<S, P>): void {
  const batchInterval = 200;

  async function run(start = true): Promise<Running<S, P>> {
    const peer = await adapter.startPeer();
    const ssc = new StreamingContext({ batchInterval, blockInterval: 50, logger: silent, ...adapter.contextOptions });
    try {
      const stream = adapter.createStream(ssc, peer);
      const out = collect(stream);
      const reports = listenForReports(ssc);
      if (start) {
        await ssc.start();
        await adapter.ready?.(peer, stream);
      }
      return { ssc, peer, stream, out, reports };
    } catch (e) {
      await ssc.stop();
      await peer.close();
      throw e;
    }
  }

  async function finish(r: Running<S, P>): Promise<void> {
    await r.ssc.stop();
    await r.peer.close();
  }

  async function receive(r: Running<S, P>, expected: readonly string[], what: string): Promise<void> {
    await waitUntil(() => has(r.out, expected), WAIT_MS, `${adapter.name} to deliver ${what}`, () => summary(r.out));
  }

  function checkGuarantee(out: readonly string[], expected: readonly string[]): void {
    const got = multiset(out);
    const missing = expected.filter((x) => !got.has(x));
    assert.equal(missing.length, 0, `${missing.length} records lost, e.g. ${JSON.stringify(missing.slice(0, 3))}`);
    if (adapter.guarantee !== 'at-least-once') {
      const dups = [...got].filter(([, n]) => n > 1);
      assert.equal(dups.length, 0, `${adapter.guarantee} delivered duplicates, e.g. ${JSON.stringify(dups.slice(0, 3))}`);
    }
    assert.ok(out.every((x) => expected.includes(x)), 'received records that were never sent');
  }

  describe(`${adapter.name} conformance (${adapter.guarantee})`, () => {
    test('start, receive what the peer sends, stop', async () => {
      const r = await run();
      try {
        const sent = records('a', 100);
        await r.peer.send(sent);
        await receive(r, sent, 'the first 100 records');
        checkGuarantee(r.out, sent);
        if (adapter.ordered) assert.deepEqual(r.out, sent);
      } finally {
        await finish(r);
      }
      assert.equal(r.ssc.state, 'stopped');
    });

    test('stop is idempotent (concurrent, repeated, and before start)', async () => {
      const r = await run();
      try {
        await Promise.all([r.ssc.stop(), r.ssc.stop()]);
        await r.ssc.stop();
        assert.equal(r.ssc.state, 'stopped');
      } finally {
        await finish(r);
      }
      const never = await run(false);
      await never.ssc.stop();
      await never.ssc.stop();
      assert.equal(never.ssc.state, 'stopped');
      await never.peer.close();
    });

    test('nothing is stored after stop, and the connector lets go of the peer', async () => {
      const r = await run();
      try {
        const sent = records('b', 50);
        await r.peer.send(sent);
        await receive(r, sent, 'records before stop');
        await r.ssc.stop();
        const seen = r.out.length;
        await r.peer.send(records('late', 50), { wait: false });
        await sleep(batchInterval * 4);
        assert.equal(r.out.length, seen, 'records arrived after stop');
        if (r.peer.consumers) await waitUntil(() => r.peer.consumers!() === 0, WAIT_MS, 'the connector to close its connections');
      } finally {
        await finish(r);
      }
    });

    test('restarts after the peer goes away and comes back', async () => {
      const r = await run();
      try {
        const before = records('before', 20);
        await r.peer.send(before);
        await receive(r, before, 'records before the peer went away');
        await r.peer.goAway();
        await sleep(batchInterval * 2);
        await r.peer.comeBack();
        const after = records('after', 20);
        await r.peer.send(after);
        await receive(r, after, 'records after the peer came back');
        checkGuarantee(r.out, [...before, ...after]);
        assert.equal(r.ssc.state, 'active');
      } finally {
        await finish(r);
      }
    });

    test('bad input is counted, reported and skipped; good input around it arrives', async () => {
      const r = await run();
      try {
        const first = records('good1', 10);
        await r.peer.send(first);
        const bad = await r.peer.sendBad();
        const second = records('good2', 10);
        await r.peer.send(second);
        await receive(r, [...first, ...second], 'the good records around bad input');
        await waitUntil(() => r.reports.badReports >= bad, WAIT_MS, `${bad} bad-record reports`, () => JSON.stringify(r.reports));
        checkGuarantee(r.out, [...first, ...second]);
        assert.equal(r.ssc.state, 'active');
      } finally {
        await finish(r);
      }
    });

    test(`no loss under parallel load (${adapter.guarantee})`, async () => {
      const r = await run();
      try {
        const n = adapter.loadRecords ?? 20_000;
        const parts = 8;
        const all: string[] = [];
        const sends: Promise<void>[] = [];
        for (let p = 0; p < parts; p++) {
          const part = records(`load${p}`, Math.ceil(n / parts));
          all.push(...part);
          sends.push(r.peer.send(part));
        }
        await Promise.all(sends);
        await receive(r, all, `${all.length} records sent in ${parts} parallel sends`);
        await sleep(batchInterval * 2);
        checkGuarantee(r.out, all);
      } finally {
        await finish(r);
      }
    });
  });
}
