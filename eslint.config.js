import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
  // lib/ is what cloudformation/ builds on: the stacks are rendered by the entries and passed
  // in (ADR 0065), so lib/ never imports cloudformation/.
  {
    files: ['lib/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/cloudformation/**', '**/cloudformation'],
              message: 'lib/ does not import cloudformation/: take the rendered stacks as input.',
            },
          ],
        },
      ],
    },
  },
);
