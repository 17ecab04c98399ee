/**
 * @sluice/core: micro-batch stream processing in the model of Spark Streaming's DStreams.
 */
export { Milliseconds, Seconds, Minutes, formatTime, type Time, type Duration, type DurationLike } from './time.js';
export { SluiceError, CoreErrorCodes, type CoreErrorCode, type SluiceErrorOptions } from './errors.js';
export { type Clock, SystemClock, ManualClock } from './util/clock.js';
export { type Logger, defaultLogger } from './util/logger.js';
export { optionError, rejectUnknownOptions, wholeNumberOption } from './util/options.js';
export { StreamingContext, type StreamingContextState, type StopOptions } from './context.js';
export type { StreamingContextOptions, BackpressureOptions } from './context-options.js';
export { RDD } from './rdd/rdd.js';
export type { RDDContext } from './rdd/rdd-context.js';
export { HashPartitioner, type Partitioner } from './rdd/partitioner.js';
export { KeyMap, hashKey, type Key, type Primitive } from './rdd/keys.js';
export { DStream, MapWithStateDStream, type UpdateStateOptions } from './dstream/dstream.js';
export type { UpdateStateFunction } from './dstream/state.js';
export { StateSpec, State, type MappingFunction } from './dstream/state-spec.js';
export { InputDStream, type StreamInputInfo } from './dstream/input-dstream.js';
export { ReceiverInputDStream } from './dstream/receiver-input-dstream.js';
export { Receiver } from './receiver/receiver.js';
export type { BlockMeta } from './receiver/received-block.js';
export type { ReceiverInfo } from './receiver/receiver-info.js';
export type { StreamingListener, BatchInfo, OutputOperationInfo, BadRecordInfo } from './scheduler/listener.js';
export { PIDRateEstimator } from './scheduler/rate/pid-rate-estimator.js';
export { formatElement } from './dstream/output/format.js';
