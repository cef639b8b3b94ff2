import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { LabError } from './errors.js'

/**
 * Absolute path of the built CLI, `packages/cli/dist/bin.js`, found from this file's location
 * (`packages/testing/src` or `packages/testing/dist`, both two levels below `packages/`), so it
 * does not depend on the working directory.
 */
export const WEFT_BIN: string = fileURLToPath(new URL('../../cli/dist/bin.js', import.meta.url))

/** Throws ERR_LAB_NO_CLI when the CLI has not been built. */
export function assertWeftBuilt (): void {
  if (!existsSync(WEFT_BIN)) {
    throw new LabError('ERR_LAB_NO_CLI', `${WEFT_BIN} does not exist; build the CLI first (npm run build)`)
  }
}
