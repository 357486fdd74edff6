import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    clearMocks: true,
    restoreMocks: true,
    // End-to-end tests start emulators and child processes; two cores are shared by all of them.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
