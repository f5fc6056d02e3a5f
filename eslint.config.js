import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import importPlugin from 'eslint-plugin-import';

// Layers, lowest first. A layer may import only from layers listed before it:
// core ← inference / media / analysis / render / storage ← store ← ui ← features ← app. `node/` is Node-only glue (CLI, tests).
const layerRules = [
  { target: './src/core', from: ['./src/inference', './src/media', './src/analysis', './src/render', './src/store', './src/features', './src/app', './src/node'], message: 'core is pure: it imports nothing above it.' },
  { target: './src/inference', from: ['./src/media', './src/render', './src/store', './src/features', './src/app'], message: 'inference sits below store/features/app.' },
  { target: './src/media', from: ['./src/inference', './src/render', './src/store', './src/features', './src/app'], message: 'media sits below store/features/app.' },
  { target: './src/storage', from: ['./src/inference', './src/media', './src/render', './src/store', './src/ui', './src/features', './src/app'], message: 'storage holds IndexedDB records; the store gives them meaning.' },
  { target: './src/analysis', from: ['./src/inference', './src/media', './src/render', './src/storage', './src/store', './src/ui', './src/features', './src/app'], message: 'analysis runs core computations in a worker; it sits below store.' },
  { target: './src/render', from: ['./src/inference', './src/media', './src/store', './src/features', './src/app'], message: 'render is pure drawing.' },
  { target: './src/store', from: ['./src/ui', './src/features', './src/app'], message: 'store sits below ui/features/app.' },
  { target: './src/ui', from: ['./src/features', './src/app'], message: 'ui holds shared components that features use; it never imports them.' },
  { target: './src/features', from: ['./src/app'], message: 'features are composed only in app.' },
  { target: './src/features/inputs', from: ['./src/features/!(inputs)/**'], message: 'features never import each other.' },
  { target: './src/features/gallery', from: ['./src/features/!(gallery)/**'], message: 'features never import each other.' },
  { target: './src/features/webcam', from: ['./src/features/!(webcam)/**'], message: 'features never import each other.' },
  { target: './src/features/controls', from: ['./src/features/!(controls)/**'], message: 'features never import each other.' },
  { target: './src/features/export', from: ['./src/features/!(export)/**'], message: 'features never import each other.' },
  { target: './src/features/evaluation', from: ['./src/features/!(evaluation)/**'], message: 'features never import each other.' },
  { target: './src/features/benchmark', from: ['./src/features/!(benchmark)/**'], message: 'features never import each other.' },
  { target: './src/features/session', from: ['./src/features/!(session)/**'], message: 'features never import each other.' },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'models/**', 'bench/results/**', 'test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks, import: importPlugin },
    settings: { 'import/resolver': { node: { extensions: ['.ts', '.tsx', '.js', '.mjs'] } } },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'import/no-restricted-paths': ['error', { zones: layerRules }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['scripts/**/*.mjs', 'bin/**/*.mjs', '*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', Buffer: 'readonly' } },
  },
);
