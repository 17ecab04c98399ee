import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PIDRateEstimator } from '../../src/scheduler/rate/pid-rate-estimator.js';
import { SluiceError } from '../../src/errors.js';

/** Runs `compute` over parallel series, one call per index. */
function run(p: PIDRateEstimator, times: number[], elements: number[], proc: number[], sched: number[]): (number | undefined)[] {
  return times.map((t, i) => p.compute(t, elements[i]!, proc[i]!, sched[i]!));
}
const series = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));

test('parameters are range-checked, naming the parameter', () => {
  const cases: [() => unknown, RegExp][] = [
    [() => new PIDRateEstimator(0, 1, 2, 3, 10), /batchIntervalMs/],
    [() => new PIDRateEstimator(100, -1, 2, 3, 10), /kp/],
    [() => new PIDRateEstimator(100, 0, -1, 3, 10), /ki/],
    [() => new PIDRateEstimator(100, 0, 0, -1, 10), /kd/],
    [() => new PIDRateEstimator(100, 0, 0, 0, 0), /minRate/],
    [() => new PIDRateEstimator(100, 0, 0, 0, -10), /minRate/],
    [() => new PIDRateEstimator(100, Number.NaN), /kp/],
  ];
  for (const [make, name] of cases) {
    assert.throws(make, (e: unknown) => e instanceof SluiceError && e.code === 'INVALID_OPTION' && name.test(e.message));
  }
  assert.doesNotThrow(() => new PIDRateEstimator(100, 0, 0, 0, 0.5));
});

test('the first estimate only seeds; the second follows the processing rate', () => {
  const p = new PIDRateEstimator(20, 1, 0, 0, 10);
  assert.equal(p.compute(0, 10, 10, 0), undefined);
  assert.equal(p.compute(10, 10, 10, 0), 1000); // 10 records in 10 ms
});

test('no estimate unless time moved forward, records > 0 and processing delay > 0', () => {
  const p = new PIDRateEstimator(20, 1, 0, 0, 10);
  p.compute(0, 10, 10, 0);
  assert.notEqual(p.compute(10, 10, 10, 0), undefined);
  assert.equal(p.compute(10, 10, 10, 0), undefined, 'same time');
  assert.equal(p.compute(5, 10, 10, 0), undefined, 'earlier time');
  assert.equal(p.compute(20, 0, 10, 0), undefined);
  assert.equal(p.compute(30, -10, 10, 0), undefined);
  assert.equal(p.compute(40, 10, 0, 0), undefined);
  assert.equal(p.compute(50, 10, -10, 0), undefined);
  assert.equal(new PIDRateEstimator(20).compute(0, 0, 10, 0), undefined, 'a skipped batch does not seed');
});

test("hand-computed values with Spark's defaults (kp 1.0, ki 0.2, kd 0.0, minRate 100)", () => {
  const p = new PIDRateEstimator(1000);
  assert.equal(p.compute(1000, 5000, 500, 0), undefined); // seeds latestRate = 10 000/s
  // rate 5000/s: error 5000, historical 500*5000/1000 = 2500 → 10000 - 5000 - 0.2*2500
  assert.equal(p.compute(2000, 5000, 1000, 500), 4500);
  // rate 4500/s: error 0, historical 200*4500/1000 = 900 → 4500 - 0.2*900
  assert.equal(p.compute(3000, 4500, 1000, 200), 4320);
  // far slower than asked, with a long backlog: floored at minRate
  assert.equal(p.compute(4000, 10, 1000, 60_000), 100);
});

test('the derivative term uses the error change per second since the last update', () => {
  const p = new PIDRateEstimator(1000, 1, 0.2, 0.5, 100);
  p.compute(1000, 5000, 500, 0); // seed 10 000/s, latestError 0
  // error 5000, dError (5000 - 0)/1 s → 10000 - 5000 - 0 - 0.5*5000
  assert.equal(p.compute(2000, 5000, 1000, 0), 2500);
  // rate 2000/s: error 500, dError (500 - 5000)/0.5 s = -9000 → 2500 - 500 + 4500
  assert.equal(p.compute(2500, 1000, 500, 0), 6500);
});

test('the estimate never goes below minRate', () => {
  const p = new PIDRateEstimator(20, 1, 1, 0, 5);
  const res = run(p, series(50, (i) => i * 20), series(50, () => 1), series(50, () => 20), series(50, () => 100));
  assert.equal(res[0], undefined);
  assert.deepEqual(res.slice(1), series(49, () => 5));
});

test('with no scheduling delay it follows the processing speed, up or down', () => {
  const up = new PIDRateEstimator(20, 1, 1, 0, 10);
  const rUp = run(up, series(50, (i) => i * 20), series(50, (i) => (i + 1) * 20), series(50, () => 20), series(50, () => 0));
  assert.equal(rUp[0], undefined);
  assert.deepEqual(rUp.slice(1), series(49, (i) => (i + 2) * 1000));
  const down = new PIDRateEstimator(20, 1, 1, 0, 10);
  const rDown = run(down, series(50, (i) => i * 20), series(50, (i) => (50 - i) * 20), series(50, () => 20), series(50, () => 0));
  assert.deepEqual(rDown.slice(1), series(49, (i) => (49 - i) * 1000));
});

test('with a scheduling delay it stays below the processing speed', () => {
  let seed = 42;
  const rand = (n: number): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed % n;
  };
  const p = new PIDRateEstimator(20, 1, 0.01, 0, 10);
  const elements = series(50, () => rand(1000));
  const sched = series(50, () => rand(19));
  const res = run(p, series(50, (i) => i * 20), elements, series(50, () => 20), sched);
  assert.equal(res[0], undefined);
  for (let i = 1; i < 50; i++) {
    const rate = res[i];
    if (elements[i] === 0) continue; // skipped batch
    assert.notEqual(rate, undefined);
    if (rate! > 0 && sched[i]! > 0) assert.ok(rate! < (elements[i]! / 20) * 1000, `batch ${i}`);
  }
});
