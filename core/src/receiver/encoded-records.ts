/**
 * Records a receiver keeps serialized in a block until the batch is computed, the way Spark's
 * `Receiver.store(ByteBuffer)` does: a socket receiver stores a chunk of complete lines as one
 * Buffer instead of one string per line, so nothing per record lives (and ages in the heap) between
 * receiving and processing. The receiver's `decodeBytes` turns them into records when the batch's
 * RDD is computed, also after recovery from the write-ahead log.
 */
export class EncodedRecords {
  constructor(
    readonly bytes: Uint8Array,
    /** How many records `bytes` decodes to (counted for rate limits and input info). */
    readonly numRecords: number,
  ) {}
}

/** Pushes a block's items to `emit` in order, decoding the encoded entries with `decode`. */
export function emitDecoded<T>(items: ReadonlyArray<T | EncodedRecords>, decode: (bytes: Uint8Array, emit: (t: T) => void) => void, emit: (t: T) => void): void {
  for (let i = 0; i < items.length; i++) {
    const x = items[i]!;
    if (x instanceof EncodedRecords) decode(x.bytes, emit);
    else emit(x);
  }
}
