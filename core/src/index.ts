export * from './time.js';
export * from './errors.js';
export { type Clock, SystemClock, ManualClock } from './util/clock.js';
