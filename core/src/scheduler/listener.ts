/**
 * StreamingListener: what a context reports while it runs, with Spark's event names and fields.
 * Every method is optional. Listeners are called asynchronously, in event order, on the event
 * loop; an exception in a listener is logged and never affects the context.
 */
import type { Time } from '../time.js';
import type { StreamInputInfo } from '../dstream/input-dstream.js';
import type { ReceiverInfo } from '../receiver/receiver-info.js';

export interface OutputOperationInfo {
  batchTime: Time;
  id: number;
  name: string;
  description: string;
  startTime?: number;
  endTime?: number;
  /** Set when the operation failed. */
  failureReason?: string;
  duration?: number;
}

export interface BatchInfo {
  batchTime: Time;
  streamIdToInputInfo: Record<number, StreamInputInfo>;
  submissionTime: number;
  processingStartTime?: number;
  processingEndTime?: number;
  outputOperationInfos: Record<number, OutputOperationInfo>;
  /** processingStartTime - submissionTime. */
  schedulingDelay?: number;
  /** processingEndTime - processingStartTime. */
  processingDelay?: number;
  /** processingEndTime - submissionTime. */
  totalDelay?: number;
  /** Records of all inputs in this batch. */
  numRecords: number;
}


/** A record an input could not read (malformed line, undecodable message); it was skipped. */
export interface BadRecordInfo {
  streamId: number;
  /** Which connector and where: e.g. "socket 127.0.0.1:9999", "kafka logs/3@1042". */
  source: string;
  reason: string;
  error?: unknown;
}

export interface StreamingListener {
  onStreamingStarted?(event: { time: number }): void;
  onBatchSubmitted?(event: { batchInfo: BatchInfo }): void;
  onBatchStarted?(event: { batchInfo: BatchInfo }): void;
  onBatchCompleted?(event: { batchInfo: BatchInfo }): void;
  onOutputOperationStarted?(event: { outputOperationInfo: OutputOperationInfo }): void;
  onOutputOperationCompleted?(event: { outputOperationInfo: OutputOperationInfo }): void;
  onReceiverStarted?(event: { receiverInfo: ReceiverInfo }): void;
  onReceiverError?(event: { receiverInfo: ReceiverInfo }): void;
  onReceiverStopped?(event: { receiverInfo: ReceiverInfo }): void;
  onBadRecord?(event: { badRecord: BadRecordInfo }): void;
}

export type StreamingListenerEvent = {
  [M in keyof StreamingListener]-?: { type: M; payload: Parameters<NonNullable<StreamingListener[M]>>[0] };
}[keyof StreamingListener];
