// ESLint (flat config) with typescript-eslint: its recommended rules, plus a few this project relies on.
// Generated code (imports/, by cdk8s import) and outputs are not linted.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['imports/**', 'dist/**', 'node_modules/**', '.build/**', 'cdktf.out/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', __filename: 'readonly', console: 'readonly', Buffer: 'readonly' } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Compare with === only (a `==` coerces, and values come from YAML); `== null` means null or undefined.
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      // Manifests and parsed YAML are `any` by nature; the validators type-check what they read.
      '@typescript-eslint/no-explicit-any': 'off',
      // Unused values are dead code; a leading _ marks a parameter kept for its position.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // `import type` for types only: nothing is loaded for a type.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'prefer-const': 'error',
      'no-var': 'error',
    },
  },
  {
    // Loads esbuild and ajv only when a validator cache misses, and the cached validators by path.
    files: ['lib/validate/schema.ts'],
    rules: { '@typescript-eslint/no-require-imports': 'off', '@typescript-eslint/consistent-type-imports': ['error', { disallowTypeAnnotations: false }] },
  },
  {
    // Plain CommonJS files (jest's setup, a test's --require hook, scripts/run.cjs).
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
