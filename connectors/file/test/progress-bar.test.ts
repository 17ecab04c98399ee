// ProgressBar: drawn only on a TTY, counts files and bytes, cleared at the end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressBar } from '@sluice/file';

test('draws on a TTY, never on a pipe', () => {
  const written: string[] = [];
  const bar = new ProgressBar('textFileStream /logs', { isTTY: true, columns: 100, write: (s: string) => written.push(s) });
  bar.setTotal(4);
  for (let i = 0; i < 4; i++) bar.tick(500_000);
  assert.match(bar.render(100), /^\[#+\] 4\/4 files 100% 2\.0 MB textFileStream \/logs$/);
  assert.ok(written.length >= 2 && written.every((w) => w.startsWith('\r')));
  bar.finish();
  assert.equal(written.at(-1), '\r\x1b[2K');
  assert.equal(bar.active, false);

  const piped: string[] = [];
  const quiet = new ProgressBar('x', { isTTY: false, write: (s: string) => piped.push(s) });
  quiet.setTotal(10);
  quiet.tick(1);
  quiet.finish();
  assert.deepEqual(piped, []);
});

test('half way shows half a bar', () => {
  const bar = new ProgressBar('dir', { isTTY: true, write: () => {} });
  bar.setTotal(10);
  for (let i = 0; i < 5; i++) bar.tick(0);
  const text = bar.render(80);
  const inner = text.slice(1, text.indexOf(']'));
  assert.equal(inner.replace(/-/g, '').length, inner.length / 2);
  assert.ok(text.includes('5/10 files 50%'));
});
