// The shared connector conformance suite, run against both Kafka streams on one real broker: the
// peer is a fresh topic (2 partitions) fed by a kafkajs producer; records travel as JSON strings,
// so bad input is text that is not JSON. "The peer goes away" stops the broker; it comes back on
// the same port with its data.
import { after, before } from 'node:test';
import { Partitioners, type Producer } from 'kafkajs';
import { createDirectKafkaStream, createKafkaStream } from '@sluice/kafka';
import { connectorConformance, type ConformancePeer } from '../../../test/conformance/index.js';
import { createTopic, startKafka, type KafkaBroker } from '../../../test/infra/kafka.js';
import { client, memoryLogger, uniqueTopic } from './helpers.js';

let broker: KafkaBroker;
before(async () => {
  broker = await startKafka({ version: process.env['SLUICE_KAFKA_VERSION'] });
});
after(async () => {
  await broker?.stop();
});

class TopicPeer implements ConformancePeer {
  private producer: Producer | undefined;

  private constructor(readonly topic: string) {}

  static async start(): Promise<TopicPeer> {
    const peer = new TopicPeer(uniqueTopic('conformance'));
    await createTopic(broker, peer.topic, 2);
    return peer;
  }

  private async produce(values: readonly string[]): Promise<void> {
    if (this.producer === undefined) {
      const producer = client(broker).producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
      await producer.connect();
      this.producer = producer;
    }
    await this.producer.send({ topic: this.topic, acks: -1, messages: values.map((value) => ({ value })) });
  }

  async send(records: readonly string[], opts: { wait?: boolean } = {}): Promise<void> {
    const sent = this.produce(records.map((r) => JSON.stringify(r)));
    if (opts.wait === false) await sent.catch(() => undefined);
    else await sent;
  }

  async sendBad(): Promise<number> {
    await this.produce(['{not json', 'undefined', '"unterminated']);
    return 3;
  }

  async goAway(): Promise<void> {
    await broker.stop();
  }

  async comeBack(): Promise<void> {
    await broker.restart();
  }

  async close(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined);
    this.producer = undefined;
  }
}

connectorConformance({
  name: 'createDirectKafkaStream',
  guarantee: 'exactly-once',
  startPeer: () => TopicPeer.start(),
  contextOptions: { logger: memoryLogger() },
  createStream: (ssc, peer: TopicPeer) =>
    createDirectKafkaStream<string, string>(ssc, { brokers: [broker.bootstrap], topics: [peer.topic], startingOffsets: 'earliest', valueDecoder: 'json' }).map((r) => r.value ?? ''),
});

connectorConformance({
  name: 'createKafkaStream',
  guarantee: 'at-least-once',
  startPeer: () => TopicPeer.start(),
  contextOptions: { logger: memoryLogger() },
  createStream: (ssc, peer: TopicPeer) =>
    createKafkaStream<string, string>(ssc, {
      brokers: [broker.bootstrap], topics: [peer.topic], groupId: `${peer.topic}-group`, fromBeginning: true, valueDecoder: 'json', sessionTimeout: 6000, heartbeatInterval: 500,
    }).map((r) => r.value ?? ''),
});
