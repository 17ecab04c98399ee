// FileTracker: identity by (path, size, mtime), pruning of files that left, state round trip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FileTracker } from '../src/file-tracker.js';

test('a file is new until taken; the same path with another size or mtime is new again', () => {
  const t = new FileTracker();
  const f = { path: 'a.log', size: 10, mtimeMs: 1000 };
  assert.ok(t.isNew(f));
  t.take(5000, [f]);
  assert.ok(!t.isNew(f));
  assert.ok(t.isNew({ ...f, size: 11 }));
  assert.ok(t.isNew({ ...f, mtimeMs: 1001 }));
  assert.deepEqual(t.filesOf(5000), [f]);
});

test('prune forgets files that left the directory, but not files of remembered batches', () => {
  const t = new FileTracker();
  t.markSeen({ path: 'gone', size: 1, mtimeMs: 1 });
  t.markSeen({ path: 'here', size: 1, mtimeMs: 1 });
  t.take(100, [{ path: 'pending', size: 1, mtimeMs: 1 }]);
  t.prune(new Set(['here']));
  assert.deepEqual(t.toState().seen.map((e) => e[0]).sort(), ['here', 'pending']);
  t.forgetBatchesUpTo(100);
  t.prune(new Set(['here']));
  assert.deepEqual(t.toState().seen.map((e) => e[0]), ['here']);
  assert.deepEqual(t.toState().batches, []);
});

test('state survives JSON and restores the same decisions', () => {
  const t = new FileTracker();
  t.markSeen({ path: 'old', size: 1, mtimeMs: 1 });
  t.take(200, [{ path: 'b', size: 2, mtimeMs: 2 }]);
  const back = FileTracker.fromState(JSON.parse(JSON.stringify(t.toState())));
  assert.deepEqual(back.toState(), t.toState());
  assert.ok(!back.isNew({ path: 'b', size: 2, mtimeMs: 2 }));
  assert.deepEqual(back.filesOf(200), [{ path: 'b', size: 2, mtimeMs: 2 }]);
});
