import {
  TAP_DEFAULT_BATCH_SIZE,
  TAP_MAX_BATCH_SIZE,
  TAP_MAX_SLAB_BYTES,
  TAP_MAX_SLOT_SIZE_BYTES,
  TAP_MIN_SLOT_SIZE_BYTES,
} from './constants.js'

/** How a device's slab is cut: `batchSize` slots of `slotSize` bytes. */
export interface BatchShape {
  readonly batchSize: number
  readonly slotSize: number
}

/** Applies defaults and checks the limits in constants.ts; throws a RangeError naming the option. */
export function batchShape(batchSize: number | undefined, slotSize: number | undefined, defaultSlotSize: number): BatchShape {
  const shape = {
    batchSize: checkInteger('batchSize', batchSize ?? TAP_DEFAULT_BATCH_SIZE, 1, TAP_MAX_BATCH_SIZE),
    slotSize: checkInteger('slotSize', slotSize ?? defaultSlotSize, TAP_MIN_SLOT_SIZE_BYTES, TAP_MAX_SLOT_SIZE_BYTES),
  }
  if (shape.batchSize * shape.slotSize > TAP_MAX_SLAB_BYTES) {
    throw new RangeError(`batchSize * slotSize is ${shape.batchSize * shape.slotSize} bytes, more than ${TAP_MAX_SLAB_BYTES}: lower one of them`)
  }
  return shape
}

function checkInteger(option: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${option} is ${value}: use an integer from ${min} to ${max}`)
  }
  return value
}
