// The ApacheAccessLog parser of the book, and the fake lines the generator makes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeLogLines, formatLogLine, parseFromLogLine, tryParseLogLine } from '@sluice/examples';

test('parses the book\'s example line', () => {
  assert.deepEqual(parseFromLogLine('127.0.0.1 - - [21/Jul/2014:9:55:27 -0800] "GET /home.html HTTP/1.1" 200 2048'), {
    ipAddress: '127.0.0.1',
    clientIdentd: '-',
    userID: '-',
    dateTimeString: '21/Jul/2014:9:55:27 -0800',
    method: 'GET',
    endpoint: '/home.html',
    protocol: 'HTTP/1.1',
    responseCode: 200,
    contentSize: 2048,
  });
});

test('a "-" content size is 0; lines that do not match are rejected', () => {
  assert.equal(tryParseLogLine('1.2.3.4 - bob [01/Jan/2024:00:00:00 +0000] "GET / HTTP/1.0" 304 -')?.contentSize, 0);
  assert.equal(tryParseLogLine('not a log line'), undefined);
  assert.equal(tryParseLogLine('1.2.3.4 - - [01/Jan/2024:00:00:00 +0000] "GET /" 200 1'), undefined);
  assert.throws(() => parseFromLogLine('nope'), /Error parsing logline/);
});

test('every fake line parses and formats back to itself; the same seed gives the same lines', () => {
  const now = (): number => Date.UTC(2014, 6, 21, 9, 55, 27);
  const a = new FakeLogLines(7, now).take(2000);
  assert.deepEqual(new FakeLogLines(7, now).take(2000), a);
  for (const line of a) assert.equal(formatLogLine(parseFromLogLine(line)), line);
  assert.ok(a[0]!.includes('[21/Jul/2014:09:55:27 +0000]'));
  const codes = new Set(a.map((l) => parseFromLogLine(l).responseCode));
  assert.deepEqual([...codes].sort(), [200, 304, 404, 500]);
  assert.ok(a.some((l) => l.includes('error')), 'some lines contain "error" (for StreamingLogInput)');
});
