import { TAP_NAME_MAX_BYTES } from './constants.js'
import { TapError } from './errors.js'

/**
 * Why the kernel would refuse `name` as an interface name, or undefined when it accepts it.
 * Mirrors the kernel's dev_valid_name(): at most 15 bytes, not "." or "..", no '/', ':' or
 * whitespace byte (its isspace() also counts 0xA0); recent kernels also refuse "all" and
 * "default" (the names of the sysctl directories). The empty name is accepted here: it asks the
 * kernel to pick `tapN`. A '%d' is left to the kernel too ("weft%d" becomes "weft0").
 */
export function tapNameProblem(name: string): string | undefined {
  const bytes = Buffer.from(name, 'utf8')
  if (bytes.toString('utf8') !== name) return 'is not well-formed Unicode'
  if (bytes.length > TAP_NAME_MAX_BYTES) return `is ${bytes.length} bytes long, more than ${TAP_NAME_MAX_BYTES}`
  if (name === '.' || name === '..' || name === 'all' || name === 'default') return `cannot be '${name}'`
  for (const byte of bytes) {
    if (byte === 0x2f) return "contains '/'"
    if (byte === 0x3a) return "contains ':'"
    if (byte === 0x00) return 'contains a NUL character'
    if (byte === 0x20 || (byte >= 0x09 && byte <= 0x0d)) return 'contains whitespace'
    if (byte === 0xa0) return 'contains the UTF-8 byte 0xA0, which the kernel counts as whitespace'
  }
  return undefined
}

/** Throws `ERR_TAP_NAME` unless the kernel would accept `name`. */
export function assertTapName(name: string): void {
  const problem = tapNameProblem(name)
  if (problem !== undefined) {
    throw new TapError('ERR_TAP_NAME', `TAP name ${JSON.stringify(name)} ${problem}: pick another name (at most ${TAP_NAME_MAX_BYTES} bytes, no '/', ':' or whitespace)`)
  }
}
