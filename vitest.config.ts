import { defineConfig } from 'vitest/config'
import { fileURLToPath } from 'node:url'

// Unit tests import packages from source (`@weft/x` -> packages/x/src/index.ts) so they need no
// build. Namespace tests drive the built CLI (`packages/cli/dist`) like a user would, one file at
// a time: the machine has two cores and every router in them is a real process.
const alias = [{ find: /^@weft\/([a-z-]+)$/, replacement: fileURLToPath(new URL('./packages/$1/src/index.ts', import.meta.url)) }]

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.spec.ts', 'test/unit/**/*.spec.ts', 'test/sim/**/*.spec.ts'],
          testTimeout: 20_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'netns',
          include: ['test/netns/**/*.spec.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
})
