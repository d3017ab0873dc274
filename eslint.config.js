// @ts-check
import js from '@eslint/js';
import graphqlPlugin from '@graphql-eslint/eslint-plugin';
import tseslint from 'typescript-eslint';

/** The SDL files that make the served schema, linted as one schema. */
const schemaFiles = ['schema/schema.graphql', 'schema/enums.generated.graphql'];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'src/__generated__/',
      'examples/client/gql/',
      'coverage/',
      'test-results/',
      'dist/',
      'bench/.work/',
    ],
  },
  {
    files: ['**/*.{ts,js}'],
    extends: [js.configs.recommended, ...tseslint.configs.strictTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'bin/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // Tests and scripts assert on shapes they build; non-null assertions there read better than guards.
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
    },
  },
  { files: ['*.js', 'bin/*.js'], ...tseslint.configs.disableTypeChecked },
  { files: ['bin/*.js'], languageOptions: { globals: { URL: 'readonly', process: 'readonly' } } },
  {
    // The schema is a contract: every element described, names by convention, nothing unreachable.
    files: schemaFiles,
    languageOptions: {
      parser: graphqlPlugin.parser,
      parserOptions: { graphQLConfig: { schema: schemaFiles } },
    },
    plugins: { '@graphql-eslint': graphqlPlugin },
    rules: {
      ...graphqlPlugin.configs['flat/schema-recommended'].rules,
      // One-line descriptions are inline ("…"), longer ones blocks ('"""'): both styles are used.
      '@graphql-eslint/description-style': 'off',
      '@graphql-eslint/naming-convention': [
        'error',
        {
          ...graphqlPlugin.configs['flat/schema-recommended'].rules['@graphql-eslint/naming-convention'][1],
          // Drata's own name for a connection's provider-type entry, kept as the contract names it.
          'ObjectTypeDefinition,ObjectTypeExtension': {
            forbiddenPrefixes: ['Type'],
            forbiddenSuffixes: ['Type'],
            ignorePattern: '^DrataConnectionProviderType$',
          },
        },
      ],
      // A page, a provider-type entry, a summary and its counts are values, not entities: they have no
      // id of their own.
      '@graphql-eslint/strict-id-in-types': [
        'error',
        {
          exceptions: {
            types: [
              'DrataConnectionPage',
              'DrataConnectionProviderType',
              'DrataConnectionSummary',
              'DrataStateCount',
              'DrataProviderTypeCount',
              'DrataClientTypeCount',
            ],
          },
        },
      ],
      '@graphql-eslint/require-description': [
        'error',
        {
          types: true,
          rootField: true,
          FieldDefinition: true,
          InputValueDefinition: true,
          EnumValueDefinition: true,
          DirectiveDefinition: true,
        },
      ],
    },
  },
);
