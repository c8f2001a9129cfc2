/**
 * The house's arrows (ARCHITECTURE.md): which part may import which. `npm run lint` checks them;
 * test/arrows.test.ts proves a forbidden import fails the check.
 */
const LOWER = '^src/(core|protocols|access|service|sources|store|audit|registry|keys|log\\.ts)';
/* global module */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'No import cycles anywhere in src/.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'core-is-pure',
      comment: 'src/core imports nothing of ours but core.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^src/', pathNot: '^src/core/' },
    },
    {
      name: 'protocols-know-only-core',
      comment: "A vendor's wire facts (src/protocols) import only core and protocols: no I/O, no dialect, no store.",
      severity: 'error',
      from: { path: '^src/protocols/' },
      to: { path: '^src/', pathNot: '^src/(core|protocols)/' },
    },
    {
      name: 'store-knows-no-wire',
      comment: 'The store knows no wire format and no business rule above it.',
      severity: 'error',
      from: { path: '^src/store/' },
      to: { path: '^src/(dialects|protocols|access|service|sources|audit|registry|cli|server\\.ts|runtime\\.ts)' },
    },
    {
      name: 'sources-never-dialects',
      comment: 'Sources call vendors through src/protocols, never through a dialect.',
      severity: 'error',
      from: { path: '^src/sources/' },
      to: { path: '^src/(dialects|cli|server\\.ts|runtime\\.ts)' },
    },
    {
      name: 'nothing-below-reaches-up',
      comment: 'Only the server, the runtime and the CLI know the dialects (and only the CLI the console).',
      severity: 'error',
      from: { path: LOWER },
      to: { path: '^src/(dialects|cli|console|server\\.ts|runtime\\.ts)' },
    },
    {
      name: 'dialects-through-public-faces',
      comment: 'Dialects reach access, core, service and sources only through their index.ts, and never the store.',
      severity: 'error',
      from: { path: '^src/dialects/' },
      to: { path: '^src/((access|core|service|sources)/(?!index\\.ts$)|store/)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    moduleSystems: ['es6'],
  },
};
