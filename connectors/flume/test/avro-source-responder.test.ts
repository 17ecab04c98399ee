// The Avro IPC handshake as Java's avro sink does it: a first attempt without its protocol (answered
// NONE), the retry with it (CLIENT, our protocol sent along), and after a reconnect the cached
// hashes (BOTH at once).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { flumeAvroSourceService } from '@sluice/flume';
import { encodeLong, encodeString } from '../src/avro-binary.js';
import { AvroSourceResponder, encodeStatusResponse, KnownClientProtocols } from '../src/avro-source-responder.js';

const ours = flumeAvroSourceService();
// What a Java client sends: the protocol with its doc, so another text and another hash than ours.
const javaText = JSON.stringify({ ...(ours.protocol as object), doc: 'Licensed to the Apache Software Foundation' });
const javaHash = createHash('md5').update(javaText).digest();

function handshake(clientProtocol: string | null, serverHash: Buffer): Buffer {
  const proto = clientProtocol === null ? Buffer.from([0]) : Buffer.concat([Buffer.from([2]), encodeString(clientProtocol)]);
  return Buffer.concat([javaHash, proto, serverHash, Buffer.from([0])]);
}

const appendCall = Buffer.concat([Buffer.from([0]), encodeString('append'), encodeLong(0), encodeLong(2), Buffer.from('hi')]);

/** Match of an encoded HandshakeResponse (enum index in its first byte). */
const match = (hs: Buffer | undefined) => ['BOTH', 'CLIENT', 'NONE'][hs![0]! / 2];

describe('AvroSourceResponder handshake', () => {
  it('NONE without the protocol, CLIENT with it, then BOTH on a new connection', () => {
    const known = new KnownClientProtocols();
    const first = new AvroSourceResponder(known, 100);
    const none = first.decode(Buffer.concat([handshake(null, javaHash), appendCall]));
    assert.equal(match(none.handshake), 'NONE');
    assert.equal(none.request.kind, 'handshake-retry');
    const client = first.decode(Buffer.concat([handshake(javaText, javaHash), appendCall]));
    assert.equal(match(client.handshake), 'CLIENT');
    assert.ok(client.handshake!.includes(Buffer.from('AvroSourceProtocol')), 'our protocol is sent along');
    assert.equal(client.request.kind, 'events');
    // Later requests on the connection carry no handshake.
    const next = first.decode(appendCall);
    assert.equal(next.handshake, undefined);
    assert.deepEqual(next.request.kind === 'events' && next.request.events.map((e) => e.body.toString()), ['hi']);
    // Reconnect: Java sends no protocol but our hash; its own hash is known now.
    const second = new AvroSourceResponder(known, 100);
    const both = second.decode(Buffer.concat([handshake(null, ours.hash), appendCall]));
    assert.equal(match(both.handshake), 'BOTH');
    assert.equal(both.handshake!.length, 4, 'BOTH carries no protocol');
  });

  it('refuses a client protocol whose appendBatch takes something else', () => {
    const bad = JSON.stringify({ protocol: 'P', messages: { appendBatch: { request: [{ name: 'events', type: 'string' }], response: 'string' } } });
    assert.throws(() => new AvroSourceResponder(new KnownClientProtocols(), 100).decode(handshake(bad, javaHash)), /FLUME_INCOMPATIBLE_PROTOCOL|message appendBatch has request/);
  });

  it('encodes status answers with the handshake first', () => {
    assert.deepEqual([...Buffer.concat(encodeStatusResponse(undefined, 'FAILED'))], [0, 0, 2]);
    assert.deepEqual([...Buffer.concat(encodeStatusResponse(Buffer.from([9]), 'OK'))], [9, 0, 0, 0]);
  });
});
