// ESLint over the whole tree: JavaScript's and typescript-eslint's recommended
// rules, and a JSDoc comment on every export (STYLE.md: "JSDoc on every export
// with units and defaults"). Untyped on purpose: tsc already type-checks, and
// a typed lint would build a second (TypeScript 6) program of the whole tree.
//
// typescript-eslint loads the `typescript` package's JS API, which TypeScript 7
// does not ship; `typescript` is therefore 6.0 (for this linter and editors),
// and build/typecheck run TypeScript 7's tsc from the `typescript-7` alias.
import js from '@eslint/js';
import jsdoc from 'eslint-plugin-jsdoc';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { jsdoc },
    rules: {
      'jsdoc/require-jsdoc': [
        'error',
        {
          publicOnly: true,
          require: { FunctionDeclaration: true, ClassDeclaration: true, MethodDefinition: false, ArrowFunctionExpression: true, FunctionExpression: true },
          contexts: ['ExportNamedDeclaration > TSInterfaceDeclaration', 'ExportNamedDeclaration > TSTypeAliasDeclaration', 'ExportNamedDeclaration > VariableDeclaration', 'ExportNamedDeclaration > TSEnumDeclaration'],
        },
      ],
      'jsdoc/check-alignment': 'error',
      // The tree's convention for a parameter or binding kept for its position only.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
);
