// The shared connector conformance suite, run against the client (socketTextStream) and the
// server (socketServerStream) flavours of @sluice/socket.
import { connectorConformance } from '../../../test/conformance/index.js';
import { socketServerStream, socketTextStream, type SocketInputDStream, type SocketServerInputDStream } from '@sluice/socket';
import { LineServer, Senders } from './peers.js';
import { waitUntil } from '../../../test/conformance/index.js';

connectorConformance<SocketInputDStream<string>, LineServer>({
  name: 'socketTextStream',
  guarantee: 'at-most-once',
  ordered: true,
  startPeer: () => LineServer.start(),
  createStream: (ssc, peer) => socketTextStream(ssc, '127.0.0.1', peer.port, { maxLineBytes: 1024, reconnectDelayMs: 50 }),
  ready: (peer) => waitUntil(() => peer.clients.size > 0, 10_000, 'socketTextStream to connect'),
});

connectorConformance<SocketServerInputDStream<string>, Senders>({
  name: 'socketServerStream',
  guarantee: 'at-most-once',
  ordered: true,
  startPeer: async () => new Senders(),
  createStream: (ssc) => socketServerStream(ssc, { port: 0, maxLineBytes: 1024 }),
  ready: async (peer, stream) => {
    peer.port = (await stream.listening()).port;
  },
});
