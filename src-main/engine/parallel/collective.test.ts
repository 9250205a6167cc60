import { describe, expect, test } from 'vitest'
import { CollectiveAborted, createCollectiveBuffers, SharedMemoryCollective } from './collective'

describe('SharedMemoryCollective', () => {
  test('a group of one sums to its own values; oversized vectors and bad ranks are refused; abort is sticky and names its reason', () => {
    const buffers = createCollectiveBuffers(1, 4)
    const solo = new SharedMemoryCollective(buffers, 0)
    expect(Array.from(solo.allReduceSum(Float32Array.of(1.5, -2)))).toEqual([1.5, -2])
    expect(() => solo.allReduceSum(new Float32Array(5))).toThrow(/5 values exceed the slot capacity of 4/)
    expect(() => new SharedMemoryCollective(buffers, 1)).toThrow(/rank 1 is outside 0..0/)
    solo.abort('disk full')
    solo.abort('second reason is ignored')
    expect(() => solo.allReduceSum(Float32Array.of(1))).toThrow(CollectiveAborted)
    expect(() => solo.allReduceSum(Float32Array.of(1))).toThrow('data-parallel training stopped: disk full')
  })
})
