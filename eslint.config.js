import { readFileSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// lib/ is what ships (bundled into the CLI, the actions and the checker): it imports neither
// the harnesses (test/, lab/, scripts/) nor a devDependency. lab/ ships later as a CLI verb and
// never imports test/ (ADR 0061).
const { devDependencies } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url)));
const devPackages = Object.keys(devDependencies);
const harness = (folders) => ({
  group: folders.flatMap((f) => [`${f}/*`, `**/${f}/*`]),
  message:
    'a harness: lib/ ships and never imports test/, lab/ or scripts/; lab/ never imports test/ (ADR 0061)',
});

export default tseslint.config(
  { ignores: ['**/dist/**', 'node_modules/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
    },
  },
  // lib/ ships and never imports harnesses or devDependencies (ADR 0061); the stacks are
  // rendered by the entries and passed in, so lib/ never imports cloudformation/ (ADR 0065).
  {
    files: ['lib/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: devPackages.map((name) => ({
            name,
            message: 'a devDependency: lib/ ships, so it imports runtime dependencies only',
          })),
          patterns: [
            harness(['test', 'lab', 'scripts']),
            {
              group: devPackages.map((name) => `${name}/*`),
              message: 'a devDependency: lib/ ships, so it imports runtime dependencies only',
            },
            {
              group: ['**/cloudformation/**', '**/cloudformation'],
              message: 'lib/ does not import cloudformation/: take the rendered stacks as input.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['lab/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [harness(['test'])] }] },
  },
);
