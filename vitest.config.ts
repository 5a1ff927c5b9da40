import { defineConfig } from 'vitest/config';

/** Test files that run on the in-memory repositories: no DynamoDB Local, so no Java. */
const MEMORY = ['tests/use-cases/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 90_000,
    env: { LOG_LEVEL: 'SILENT' },
    projects: [
      {
        extends: true,
        test: {
          name: 'dynamodb',
          include: ['tests/**/*.test.ts'],
          exclude: MEMORY,
          // One DynamoDB Local for the whole run; every test file makes its own table in it.
          globalSetup: ['tests/support/global-setup.ts'],
        },
      },
      {
        extends: true,
        // Started with startMemoryStack (tests/support/stack.ts); a project of their own, so running
        // only these never starts DynamoDB Local.
        test: { name: 'memory', include: MEMORY },
      },
    ],
  },
});
