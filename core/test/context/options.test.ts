/**
 * Bad options fail at the call that made them, with a stable code and a message naming the option
 * (and for durations, both durations involved).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Milliseconds, Minutes, Seconds, SluiceError, StreamingContext, type DStream } from '@sluice/core';
import { manualContext } from './helpers.js';

const hasCode = (code: string, ...patterns: RegExp[]) => (e: unknown): boolean => {
  assert.ok(e instanceof SluiceError, `expected a SluiceError, got ${String(e)}`);
  assert.equal(e.code, code, e.message);
  for (const p of patterns) assert.match(e.message, p);
  return true;
};

function pairs(): DStream<[string, number]> {
  return manualContext().ssc.queueStream<[string, number]>([]);
}

describe('window and slide durations', () => {
  const cases: Array<[string, (s: DStream<[string, number]>) => unknown, RegExp[]]> = [
    ['window', (s) => s.window(2500), [/window duration \(2500 ms\)/, /1000 ms/]],
    ['window slide', (s) => s.window(2000, 1500), [/slide duration \(1500 ms\)/, /1000 ms/]],
    ['reduceByWindow', (s) => s.map(([, v]) => v).reduceByWindow((a, b) => a + b, 1500, 1000), [/1500 ms/, /1000 ms/]],
    ['reduceByWindow with inverse', (s) => s.map(([, v]) => v).reduceByWindow((a, b) => a + b, (a, b) => a - b, 3000, 700), [/700 ms/, /1000 ms/]],
    ['countByWindow', (s) => s.countByWindow(4200), [/4200 ms/, /1000 ms/]],
    ['countByValueAndWindow', (s) => s.countByValueAndWindow(2000, 1234), [/1234 ms/, /1000 ms/]],
    ['groupByKeyAndWindow', (s) => s.groupByKeyAndWindow(999), [/999 ms/, /1000 ms/]],
    ['reduceByKeyAndWindow', (s) => s.reduceByKeyAndWindow((a, b) => a + b, 2500, 1000), [/2500 ms/, /1000 ms/]],
    ['reduceByKeyAndWindow with inverse', (s) => s.reduceByKeyAndWindow((a, b) => a + b, (a, b) => a - b, 3000, 1500), [/1500 ms/, /1000 ms/]],
    ['a window of a window', (s) => s.window(4000, 2000).window(3000), [/3000 ms/, /2000 ms \(2 s\)/]],
    ['checkpoint interval', (s) => s.checkpoint(1500), [/checkpoint interval \(1500 ms\)/, /1000 ms/]],
  ];
  for (const [name, op, patterns] of cases) {
    test(`${name}: not a multiple of the parent slide throws INVALID_DURATION naming both durations`, () => {
      assert.throws(() => op(pairs()), hasCode('INVALID_DURATION', ...patterns));
    });
  }

  test('zero, negative and fractional durations throw INVALID_OPTION naming what was wrong', () => {
    assert.throws(() => pairs().window(0), hasCode('INVALID_OPTION', /window duration/, /got 0/));
    assert.throws(() => pairs().window(2000, -1000), hasCode('INVALID_OPTION', /slide duration/, /-1000/));
    assert.throws(() => pairs().window(1000.5), hasCode('INVALID_OPTION', /whole number of milliseconds/));
    assert.throws(() => Seconds(-1), hasCode('INVALID_OPTION', /Seconds/));
  });

  test('Seconds, Milliseconds and Minutes are milliseconds', () => {
    assert.equal(Seconds(2), 2000);
    assert.equal(Milliseconds(5), 5);
    assert.equal(Minutes(1), 60_000);
    assert.doesNotThrow(() => pairs().window(Seconds(4), Seconds(2)).window(Seconds(6)));
  });
});

describe('StreamingContext options', () => {
  test('an unknown option throws INVALID_OPTION naming it and the accepted ones', () => {
    assert.throws(
      () => new StreamingContext({ batchInterval: 1000, batchIntervall: 5 } as never),
      hasCode('INVALID_OPTION', /batchIntervall/, /Accepted: .*batchInterval/),
    );
  });

  test('several unknown options are all named', () => {
    assert.throws(() => new StreamingContext({ batchInterval: 1000, foo: 1, bar: 2 } as never), hasCode('INVALID_OPTION', /foo, bar/));
  });

  test('a missing or bad batchInterval is named', () => {
    assert.throws(() => new StreamingContext({} as never), hasCode('INVALID_OPTION', /batchInterval/));
    assert.throws(() => new StreamingContext({ batchInterval: -5 }), hasCode('INVALID_OPTION', /batchInterval/, /-5/));
    assert.throws(() => new StreamingContext(null as never), hasCode('INVALID_OPTION', /options/));
  });

  const badValues: Array<[string, Record<string, unknown>, RegExp]> = [
    ['parallelism', { parallelism: 0 }, /parallelism must be a whole number >= 1, got 0/],
    ['concurrentJobs', { concurrentJobs: 1.5 }, /concurrentJobs/],
    ['maxTaskFailures', { maxTaskFailures: 0 }, /maxTaskFailures/],
    ['receiverMaxRate', { receiverMaxRate: -1 }, /receiverMaxRate/],
    ['checkpointDir', { checkpointDir: '' }, /checkpointDir/],
    ['writeAheadLog', { writeAheadLog: 'yes' }, /writeAheadLog must be true or false, got "yes"/],
    ['clock', { clock: {} }, /clock/],
    ['printSink', { printSink: 'stdout' }, /printSink/],
    ['backpressure', { backpressure: 'on' }, /backpressure/],
    ['backpressure.<unknown>', { backpressure: { gain: 1 } }, /backpressure\.gain/],
    ['backpressure.integral', { backpressure: { integral: -1 } }, /backpressure\.integral/],
  ];
  for (const [name, opts, pattern] of badValues) {
    test(`a bad ${name} is named with what it accepts`, () => {
      assert.throws(() => new StreamingContext({ batchInterval: 1000, ...opts } as never), hasCode('INVALID_OPTION', pattern));
    });
  }
});

describe('other argument checks', () => {
  test('name(id): empty or already used ids throw INVALID_OPTION', () => {
    const { ssc } = manualContext();
    const s = ssc.queueStream<number>([]);
    const a = s.map((x) => x).name('counts');
    assert.equal(a.operatorId, 'counts');
    assert.equal(a.name('counts'), a);
    assert.throws(() => s.filter(() => true).name('counts'), hasCode('INVALID_OPTION', /counts/, /already has this name/));
    assert.throws(() => s.name(''), hasCode('INVALID_OPTION'));
  });

  test('foreachRDD, queueStream and checkpoint reject arguments of the wrong kind', () => {
    const { ssc } = manualContext();
    assert.throws(() => ssc.queueStream<number>([]).foreachRDD(undefined as never), hasCode('INVALID_OPTION', /foreachRDD/));
    assert.throws(() => ssc.queueStream('x' as never), hasCode('INVALID_OPTION', /queueStream/));
    assert.throws(() => ssc.checkpoint(''), hasCode('INVALID_OPTION', /checkpoint/));
  });

  test('partition counts are checked at the call, not when a batch runs', () => {
    const s = pairs();
    assert.throws(() => s.repartition(0), hasCode('INVALID_OPTION', /repartition/, /numPartitions/));
    assert.throws(() => s.reduceByKey((a, b) => a + b, 0), hasCode('INVALID_OPTION', /numPartitions/));
    assert.throws(() => s.groupByKey(-1), hasCode('INVALID_OPTION', /numPartitions/));
    assert.throws(() => s.countByValue(1.5), hasCode('INVALID_OPTION', /numPartitions/));
    assert.throws(() => s.reduceByKeyAndWindow((a, b) => a + b, 2000, 1000, 0), hasCode('INVALID_OPTION', /numPartitions/));
    for (const op of ['join', 'leftOuterJoin', 'rightOuterJoin', 'fullOuterJoin', 'cogroup'] as const) {
      assert.throws(() => (s[op] as (o: DStream<[string, number]>, n: number) => unknown).call(s, s, 0), hasCode('INVALID_OPTION', new RegExp(op), /numPartitions/));
    }
    assert.throws(() => s.updateStateByKey<string, number, number>((vs) => vs.length, { numPartitions: 0 }), hasCode('INVALID_OPTION', /numPartitions/));
  });
});
