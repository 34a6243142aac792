// The architecture rules CI checks (`npm run deps`, in .ci/run). They read the import graph, type-only
// imports included, so a layer that names another's types depends on it too. STYLE.md says why each holds.
/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-runtime-cycle',
      severity: 'error',
      comment:
        'A cycle of imports that exist at run time: module evaluation order then decides what is still undefined. ' +
        'Type-only imports vanish when the code runs, so a cycle that passes through one is allowed.',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } }
    },
    {
      name: 'lib-and-shared-are-leaves',
      severity: 'error',
      comment:
        'src/lib/ is pure code and src/shared/ the pieces every layer uses: neither may depend on a resource, ' +
        'a task, a carrier or a plugin (an enum both need belongs in src/shared/).',
      from: { path: '^src/(lib|shared)/' },
      to: { path: '^src/(resources|jobs|carriers|plugins)/' }
    },
    {
      name: 'resources-import-task-contracts-only',
      severity: 'error',
      comment:
        "Code that enqueues a task imports the task's contract (src/jobs/<task>.contract.ts), never its run: the run " +
        'imports the services it calls, so importing it from a resource closes a cycle.',
      from: { path: '^src/resources/' },
      to: { path: '^src/jobs/', pathNot: '^src/jobs/[^/]+[.]contract[.]ts$' }
    },
    {
      name: 'schemas-are-leaves',
      severity: 'error',
      comment:
        'A *.schemas.ts file describes the API: it may use shared/, lib/, other schemas and the enums of its ' +
        'tables, never a repository, service, route or mapper (rows become API shapes in <resource>.mapper.ts).',
      from: { path: '[.]schemas[.]ts$' },
      to: { path: ['[.](repository|service|routes|mapper)[.]ts$', '^src/(jobs|plugins|db)/'] }
    },
    {
      name: 'migrations-are-frozen',
      severity: 'error',
      comment: "Migrations are frozen in time: written over Kysely<any>, they import nothing from today's src/.",
      from: { path: '^migrations/' },
      to: { path: '^src/' }
    },
    {
      name: 'no-unresolvable-import',
      severity: 'error',
      comment: 'An import the resolver cannot find would fail at run time (or the rules above would miss it).',
      from: {},
      to: { couldNotResolve: true }
    }
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings']
    },
    skipAnalysisNotInRules: true
  }
}
