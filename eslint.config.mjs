// Lint: typescript-eslint's recommended rules over every TypeScript source (type-checked ones over
// product code), and the platform seam.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The platform seam (README, "How it is built"). Connect, through atlassian-connect-express
// (ACE), is reached from platform/connect/ only: the domain (lib/) and the HTTP surface
// (routes/) are written against ports, so that Forge Remote can be a second adapter of the same
// core, and app.ts asks the adapter for them. The product never imports the emulator.
// Not restricted, on purpose: test tooling (test/support/ace-test-app.ts drives ACE as the
// client of the emulator's conformance suite), the dev loop (scripts/dev/ installs with ACE's
// register()), the emulator, bench/.
const ACE = {
  group: ['atlassian-connect-express', 'atlassian-connect-express/**'],
  message:
    'Only platform/connect/ may use ACE: reach Connect through the ports (lib/confluence/transport.ts, lib/sites/install-records.ts, lib/sites/app-identity.ts) that app.ts wires.',
};
const EMULATOR = { group: ['**/emulator', '**/emulator/**'], message: 'The emulator is a test peer: the product never imports it.' };
const PLATFORM = {
  group: ['**/platform', '**/platform/**'],
  message: 'Platform adapters reach the core through app.ts, not the other way round.',
};
const ROUTES = {
  group: ['**/routes', '**/routes/**'],
  message: 'lib/ is the transport-free domain: routes/ build on it, not the other way round.',
};
const EXPRESS = { name: 'express', message: 'lib/ is the transport-free domain: HTTP belongs to routes/ and the platform adapters.' };
// Persistence stays in lib/database: services see domain types, the repositories (lib/database/
// repositories/) and a lock's opaque LockScope, never sequelize's models, operators or transactions.
const SEQUELIZE = {
  group: ['sequelize', 'sequelize/**'],
  message:
    'Only lib/database/ may use sequelize: query through a repository (lib/database/repositories/) and pass a LockScope, not a Transaction.',
};
const ACE_SYNTAX = ['CallExpression', 'ImportExpression'].map((node) => ({
  selector: `${node} > Literal[value=/^atlassian-connect-express/]`,
  message: ACE.message,
}));
// The domain reads what crosses its edges through schemas (lib/confluence/replies.ts, lib/storage/
// record-schemas.ts): a reply's body is parsed, never cast.
const PARSED_EDGES = [
  {
    selector: "TSAsExpression > MemberExpression.expression[property.name='body']",
    message: 'Parse a reply body with its schema (parseReply and lib/confluence/replies.ts) instead of casting it.',
  },
];

const restrict = ({ paths = [], patterns, syntax = [] }) => ({
  '@typescript-eslint/no-restricted-imports': ['error', { paths, patterns }],
  'no-restricted-syntax': ['error', ...syntax],
});
const PRODUCT = ['*.ts', 'lib/**/*.ts', 'routes/**/*.ts', 'platform/**/*.ts'];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'public/', 'test-results/', '.data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  // Product code gets the type-checked rules too: unsafe any, floating or misused promises,
  // unbound methods, needless assertions (tests and tools keep the faster syntactic set).
  ...tseslint.configs.recommendedTypeChecked.map((config) => ({ ...config, files: PRODUCT })),
  { files: PRODUCT, languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } } },
  { files: PRODUCT, rules: restrict({ patterns: [EMULATOR] }) },
  { files: PRODUCT, ignores: ['platform/connect/**'], rules: restrict({ patterns: [ACE, EMULATOR], syntax: ACE_SYNTAX }) },
  { files: ['routes/**/*.ts'], rules: restrict({ patterns: [ACE, EMULATOR, PLATFORM], syntax: ACE_SYNTAX }) },
  {
    files: ['lib/**/*.ts'],
    rules: restrict({ paths: [EXPRESS], patterns: [ACE, EMULATOR, PLATFORM, ROUTES], syntax: [...ACE_SYNTAX, ...PARSED_EDGES] }),
  },
  {
    files: ['lib/**/*.ts'],
    ignores: ['lib/database/**'],
    rules: restrict({ paths: [EXPRESS], patterns: [ACE, EMULATOR, PLATFORM, ROUTES, SEQUELIZE], syntax: [...ACE_SYNTAX, ...PARSED_EDGES] }),
  },
);
