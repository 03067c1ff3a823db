/**
 * The layers of cloudtap, bottom first (docs/design.md, "Layers"). A module may
 * import its own layer and the ones below it, never one above; no file and no
 * folder may take part in an import cycle. `npm test` runs these rules
 * (test/architecture/layers.test.ts).
 */
const LAYERS = [
  ['library', '^shared/lib/'],
  ['ecs', '^shared/ecs/'],
  ['core', '^shared/core/'],
  ['adapters', '^shared/(cursor|sinks|detection|alerts|providers|ocsf)/'],
  ['config', '^shared/config/'],
  ['wiring', '^shared/(runtime|ops)/'],
  ['simulators', '^simulators/'],
  ['entry points', '^(functions|cli|infra|bin|bench)/'],
];

const upward = LAYERS.slice(0, -1).map(([name, path], index) => ({
  name: `no-upward-from-${name.replace(/ /g, '-')}`,
  comment: `${name} may import only its own layer and those below it`,
  severity: 'error',
  from: { path },
  to: { path: LAYERS.slice(index + 1).map(([, above]) => above) },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-file-cycle',
      comment: 'a file may not import itself through others',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-folder-cycle',
      comment: 'a folder may not import itself through others',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    ...upward,
    {
      name: 'no-cross-vendor',
      comment: 'a vendor folder does not reach into another vendor',
      severity: 'error',
      from: { path: '^shared/providers/([^/]+)/' },
      to: { path: '^shared/providers/[^/]+/', pathNot: '^shared/providers/$1/' },
    },
    {
      name: 'no-vendor-in-generic-code',
      comment: 'code outside shared/providers reaches a vendor only through the registry',
      severity: 'error',
      from: { path: '^(shared|cli|infra|functions|bench)/', pathNot: '^shared/providers/' },
      to: { path: '^shared/providers/[^/]+/' },
    },
    {
      name: 'no-entry-point-to-entry-point',
      comment: 'functions, cli and infra are separate entry points',
      severity: 'error',
      from: { path: '^(functions|cli|infra)/' },
      to: { path: '^(functions|cli|infra)/', pathNot: '^$1/' },
    },
    {
      name: 'no-tests-from-product',
      comment: 'product code never imports test code',
      severity: 'error',
      from: { path: '^(shared|cli|infra|functions|bin|simulators|bench)/' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    parser: 'swc',
  },
};
