// ESLint: type-aware checks the conventions ask for, plus the layer rules (pure domain/geo/verifier).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const impure = {
  patterns: [
    {
      group: ['pg', 'pg-*', 'ioredis', 'nats', '@electric-sql/*', 'kysely', 'fastify', '@fastify/*', 'pino'],
      message: 'domain/, geo/ and verifier/ stay pure: do I/O in adapters/.',
    },
    {
      group: ['node:fs', 'node:net', 'node:http', 'node:child_process', 'fs', 'net', 'http', 'child_process'],
      message: 'domain/, geo/ and verifier/ stay pure: do I/O in adapters/.',
    },
    {
      group: ['**/adapters/**', '**/services/**', '**/http/**', '**/roles/**'],
      message: 'inner layers must not import outer layers.',
    },
  ],
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'web/dist/',
      'data/',
      'scratch/',
      'test-results/',
      'bench/results/',
      '**/*.js',
      '**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['src/domain/**/*.ts', 'src/geo/**/*.ts', 'src/verifier/**/*.ts'],
    ignores: ['**/*.test.ts', '**/*.fixtures.ts', '**/*.fixture.ts'],
    rules: { 'no-restricted-imports': ['error', impure] },
  },
  {
    files: ['src/services/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['pg', 'ioredis', 'nats', '@electric-sql/*'],
              message: 'services call ports and repositories, never drivers.',
            },
          ],
        },
      ],
    },
  },
);
