#!/usr/bin/env node
import { main } from './cli.js'

main(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code
  },
  (err: Error) => {
    process.stderr.write(`weft: ${err.message}\n`)
    process.exitCode = 1
  },
)
