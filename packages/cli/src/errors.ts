/** A failure to report as one line on stderr; `exitCode` 2 for usage errors. */
export class CliError extends Error {
  override readonly name = 'CliError'
  constructor(message: string, readonly exitCode = 1, readonly code = 'ERR_CLI') {
    super(message)
  }
}

export function usageError(message: string, command: string): CliError {
  return new CliError(`${message}; see 'weft ${command} --help'`, 2, 'ERR_USAGE')
}
