/**
 * graphql-codegen's client preset for the example client: typed documents for the operations written
 * with `graphql()` in this folder, from the served subgraph SDL. Run by `npm run generate`; checked by
 * `npm run check:generated`.
 */
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  overwrite: true,
  schema: 'schema/subgraph.graphql',
  documents: ['examples/client/*.ts', '!examples/client/codegen.ts'],
  ignoreNoDocuments: false,
  generates: {
    'examples/client/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        importExtension: '.js',
        strictScalars: true,
        scalars: { DateTime: 'string' },
      },
    },
    // Every enum of the schema as a value and a type, `DrataErrorCode` among them: no field returns it
    // (it is the type of `extensions.code`), so no operation brings it into the preset's output.
    'examples/client/gql/enums.ts': {
      plugins: [
        { add: { content: '/* eslint-disable */' } },
        { typescript: { onlyEnums: true, enumsAsConst: true, namingConvention: { enumValues: 'keep' } } },
      ],
    },
  },
};

export default config;
