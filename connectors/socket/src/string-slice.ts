/**
 * Fast byte-range-to-string decoding for the line decoder. Buffer's own `latin1Slice` and
 * `utf8Slice` (present in every Node release, not in the typings) skip `toString`'s argument
 * handling, which shows in profiles at millions of lines per second; `toString` is the fallback.
 * `latin1Slice` is only correct for pure-ASCII bytes (checked by the caller).
 */
export type Slicer = (buf: Buffer, start: number, end: number) => string;

interface RawSlices {
  latin1Slice?: (start: number, end: number) => string;
  utf8Slice?: (start: number, end: number) => string;
}

const proto = Buffer.prototype as unknown as RawSlices;

/** Decodes ASCII bytes (the caller has checked that every byte is < 0x80). */
export const asciiSlice: Slicer =
  typeof proto.latin1Slice === 'function' ? (b, s, e) => (b as unknown as Required<RawSlices>).latin1Slice(s, e) : (b, s, e) => b.toString('latin1', s, e);

/** Decodes UTF-8 bytes (invalid sequences would become U+FFFD; the caller validates first). */
export const utf8Slice: Slicer =
  typeof proto.utf8Slice === 'function' ? (b, s, e) => (b as unknown as Required<RawSlices>).utf8Slice(s, e) : (b, s, e) => b.toString('utf8', s, e);
