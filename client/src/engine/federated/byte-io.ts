// Little-endian writing and bounds-checked reading of the federated binary formats. A writer is sized up front
// (the formats compute their exact length first); a reader throws FederatedDecodeError instead of reading past
// the end.
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** Bytes that are not a well-formed federated set or update (truncated, corrupt, inconsistent). */
export class FederatedDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FederatedDecodeError';
  }
}

export function utf8Length(text: string): number {
  return utf8Encoder.encode(text).length;
}

export class ByteWriter {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  private at = 0;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }

  get offset(): number {
    return this.at;
  }

  u8(value: number): void {
    this.view.setUint8(this.at, value);
    this.at += 1;
  }

  u16(value: number): void {
    this.view.setUint16(this.at, value, true);
    this.at += 2;
  }

  u32(value: number): void {
    this.view.setUint32(this.at, value, true);
    this.at += 4;
  }

  f32(value: number): void {
    this.view.setFloat32(this.at, value, true);
    this.at += 4;
  }

  f64(value: number): void {
    this.view.setFloat64(this.at, value, true);
    this.at += 8;
  }

  raw(bytes: Uint8Array): void {
    this.bytes.set(bytes, this.at);
    this.at += bytes.length;
  }

  /** u16 byte length, then UTF-8. */
  text(value: string): void {
    const encoded = utf8Encoder.encode(value);
    if (encoded.length > 0xffff) throw new RangeError(`name of ${encoded.length} bytes is too long`);
    this.u16(encoded.length);
    this.raw(encoded);
  }

  /** The written bytes; throws when the precomputed size was not met exactly (a bug in a size function). */
  finish(): Uint8Array {
    if (this.at !== this.bytes.length) throw new Error(`wrote ${this.at} bytes into a buffer of ${this.bytes.length}`);
    return this.bytes;
  }
}

export class ByteReader {
  private readonly view: DataView;
  private at = 0;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get offset(): number {
    return this.at;
  }

  get remaining(): number {
    return this.bytes.length - this.at;
  }

  u8(): number {
    this.need(1);
    const value = this.view.getUint8(this.at);
    this.at += 1;
    return value;
  }

  u16(): number {
    this.need(2);
    const value = this.view.getUint16(this.at, true);
    this.at += 2;
    return value;
  }

  u32(): number {
    this.need(4);
    const value = this.view.getUint32(this.at, true);
    this.at += 4;
    return value;
  }

  f32(): number {
    this.need(4);
    const value = this.view.getFloat32(this.at, true);
    this.at += 4;
    return value;
  }

  f64(): number {
    this.need(8);
    const value = this.view.getFloat64(this.at, true);
    this.at += 8;
    return value;
  }

  /** A view of the next `length` bytes (callers copy what they keep). */
  raw(length: number): Uint8Array {
    this.need(length);
    const bytes = this.bytes.subarray(this.at, this.at + length);
    this.at += length;
    return bytes;
  }

  text(): string {
    const length = this.u16();
    try {
      return utf8Decoder.decode(this.raw(length));
    } catch (error) {
      if (error instanceof FederatedDecodeError) throw error;
      throw new FederatedDecodeError(`a name at byte ${this.at - length} is not UTF-8`);
    }
  }

  private need(length: number): void {
    if (length > this.remaining) throw new FederatedDecodeError(`truncated: needed ${length} bytes at ${this.at}, ${this.remaining} left`);
  }
}
