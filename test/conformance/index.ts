/**
 * The connector conformance suite. A connector's tests call
 * `connectorConformance(adapter)` at the top level of a `*.test.ts` file; see adapter.ts for what
 * an adapter provides and suite.ts for the tests it registers.
 */
export { connectorConformance } from './suite.js';
export type { ConnectorAdapter, ConformancePeer, DeliveryGuarantee } from './adapter.js';
export { collect, listenForReports, multiset, sleep, waitUntil, type ReportLog } from './harness.js';
