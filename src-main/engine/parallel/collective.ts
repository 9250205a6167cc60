// Replicas of one run (worker threads, each with its own tfjs backend) agree on
// numbers through this: an all-reduce over a SharedArrayBuffer, blocking with
// Atomics so it can run inside synchronous tfjs code (a BN layer's forward
// pass, a gradient function). Every replica sums the slots in rank order, so
// all of them get the same bits and their weights stay identical.

export interface Collective {
  readonly rank: number
  readonly size: number
  /** Element-wise sum of `values` over all replicas. Every replica must call it, in the same order, with the same length. */
  allReduceSum(values: Float32Array): Float32Array
  /** Fails every replica's current and next calls with this reason, so none waits for a replica that gave up. */
  abort(reason: string): void
}

/** What a replica needs to join: transferable to a worker as workerData. */
export interface CollectiveBuffers {
  size: number
  /** Floats per replica slot: the longest vector any all-reduce will carry. */
  capacity: number
  control: SharedArrayBuffer
  data: SharedArrayBuffer
}

// Int32 indices into the control buffer.
const ARRIVED = 0
const GENERATION = 1
const ABORTED = 2
const REASON_LENGTH = 3
const REASON_START = 4
const REASON_BYTES = 1024
/** How long a blocked replica sleeps before it looks again (an abort also wakes it at once). */
const WAKE_MS = 1000

export function createCollectiveBuffers(size: number, capacity: number): CollectiveBuffers {
  if (!Number.isInteger(size) || size < 1) throw new Error(`collective: size must be a positive integer, got ${size}`)
  if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`collective: capacity must be a positive integer, got ${capacity}`)
  return {
    size,
    capacity,
    control: new SharedArrayBuffer(REASON_START * 4 + REASON_BYTES),
    data: new SharedArrayBuffer(size * capacity * 4),
  }
}

/** Thrown in every replica once one of them aborted (failed, or the group was shut down). */
export class CollectiveAborted extends Error {}

export class SharedMemoryCollective implements Collective {
  readonly size: number
  private readonly control: Int32Array
  private readonly reason: Uint8Array
  private readonly slots: Float32Array[]

  constructor(
    buffers: CollectiveBuffers,
    readonly rank: number,
  ) {
    if (!Number.isInteger(rank) || rank < 0 || rank >= buffers.size) throw new Error(`collective: rank ${rank} is outside 0..${buffers.size - 1}`)
    this.size = buffers.size
    this.control = new Int32Array(buffers.control, 0, REASON_START)
    this.reason = new Uint8Array(buffers.control, REASON_START * 4, REASON_BYTES)
    this.slots = Array.from({ length: buffers.size }, (_, r) => new Float32Array(buffers.data, r * buffers.capacity * 4, buffers.capacity))
  }

  allReduceSum(values: Float32Array): Float32Array {
    const n = values.length
    if (n > this.slots[0].length) throw new Error(`collective: ${n} values exceed the slot capacity of ${this.slots[0].length}`)
    this.slots[this.rank].set(values)
    this.barrier() // every slot written
    const out = new Float32Array(n)
    for (const slot of this.slots) for (let i = 0; i < n; i++) out[i] += slot[i]
    this.barrier() // every slot read: the next call may overwrite them
    return out
  }

  abort(reason: string): void {
    if (Atomics.compareExchange(this.control, ABORTED, 0, 1) !== 0) return // the first reason wins
    const bytes = new TextEncoder().encode(reason).subarray(0, REASON_BYTES)
    this.reason.set(bytes)
    Atomics.store(this.control, REASON_LENGTH, bytes.length)
    Atomics.notify(this.control, GENERATION)
  }

  get aborted(): boolean {
    return Atomics.load(this.control, ABORTED) === 1
  }

  private barrier(): void {
    this.throwIfAborted()
    const generation = Atomics.load(this.control, GENERATION)
    if (Atomics.add(this.control, ARRIVED, 1) === this.size - 1) {
      Atomics.store(this.control, ARRIVED, 0)
      Atomics.add(this.control, GENERATION, 1)
      Atomics.notify(this.control, GENERATION)
    } else {
      while (Atomics.load(this.control, GENERATION) === generation) {
        Atomics.wait(this.control, GENERATION, generation, WAKE_MS)
        this.throwIfAborted()
      }
    }
  }

  private throwIfAborted(): void {
    if (!this.aborted) return
    // Copy out of shared memory: TextDecoder refuses shared views.
    const text = new TextDecoder().decode(this.reason.slice(0, Atomics.load(this.control, REASON_LENGTH)))
    throw new CollectiveAborted(`data-parallel training stopped: ${text}`)
  }
}
