/**
 * Layer rules (docs/ARCHITECTURE.md "Rules"), checked by dependency-cruiser in `npm run lint`
 * (`npm run lint:layers`). Violations that already exist on main while they are being moved out are
 * listed in .dependency-cruiser-known-violations.json: the check prints them as warnings and fails
 * on any new one. Regenerate that list only to shrink it: `npm run lint:layers:baseline`.
 *
 * 分层规则：domain/geo/verifier 纯净；ports 只依赖 domain/geo；services 只依赖 ports；
 * adapters 是唯一接触驱动与文件的层；roles/cli 是组装根；不允许循环依赖。
 */

/** Database, cache and bus drivers, and the HTTP framework: adapters (and http for fastify) only. */
const DRIVERS = 'node_modules/(pg|pg-copy-streams|pg-[^/]+|kysely|ioredis|nats|@electric-sql/[^/]+)/';
const HTTP_FRAMEWORK = 'node_modules/(fastify|@fastify/[^/]+|fastify-[^/]+)/';
/** Node built-ins that do I/O or start processes and threads. */
const IO_BUILTINS =
  '^(node:)?(fs|fs/promises|net|http|https|http2|tls|dgram|dns|child_process|cluster|worker_threads|readline)$';

/** Fixtures and test helpers may reach across layers (they build real contexts); rules are for shipped code. */
const TEST_CODE = ['\\.(test|fixtures?)\\.tsx?$', '^test/'];
/** A rule's `from`: these paths, minus test code (and minus `not`). */
const shipped = (path, not = []) => ({ path, pathNot: [...TEST_CODE, ...[not].flat()] });

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles make layers meaningless and module start-up order fragile: break the cycle.',
      from: { pathNot: TEST_CODE },
      to: { circular: true },
    },
    // ── pure core ────────────────────────────────────────────────────────────────────────────
    {
      name: 'core-pure-no-io',
      severity: 'error',
      comment:
        'domain/ and geo/ are pure: no drivers, no HTTP framework, no logger, no I/O built-ins, no node:crypto (randomness and keys come in as arguments).',
      from: shipped('^src/(domain|geo)/'),
      to: {
        path: [
          DRIVERS,
          HTTP_FRAMEWORK,
          'node_modules/(pino|prom-client|@faker-js/[^/]+)/',
          IO_BUILTINS,
          '^(node:)?crypto$',
        ],
      },
    },
    {
      name: 'core-inward-only',
      severity: 'error',
      comment: 'domain/ and geo/ import only domain/ and geo/ (and pure libraries).',
      from: shipped('^src/(domain|geo)/'),
      to: { path: '^src/', pathNot: '^src/(domain|geo)/' },
    },
    {
      name: 'verifier-browser-safe',
      severity: 'error',
      comment:
        'verifier/ runs in browsers: it imports only domain/, verifier/ and cborg, and reaches no Node built-in through anything it imports.',
      from: shipped('^src/verifier/'),
      to: { pathNot: ['^src/(domain|verifier)/', 'node_modules/cborg/'] },
    },
    {
      name: 'browser-code-no-node-builtins',
      severity: 'error',
      comment: 'verifier/ and web/ run in browsers: nothing they import may reach a Node built-in.',
      from: shipped(['^src/verifier/', '^web/'], '^web/vite\\.config\\.ts$'),
      // Node built-ins resolve to bare names (fs, node:fs); our files and packages have paths with dots or node_modules.
      to: { reachable: true, path: '^(node:)?[a-z_0-9/]+$' },
    },
    {
      name: 'web-uses-browser-safe-core',
      severity: 'error',
      comment:
        'The web apps use the browser-safe core (src/verifier, src/domain) and talk to the rest over HTTP.',
      from: shipped('^web/', '^web/vite\\.config\\.ts$'),
      to: { path: '^src/', pathNot: '^src/(verifier|domain)/' },
    },
    // ── ports ────────────────────────────────────────────────────────────────────────────────
    {
      name: 'ports-only-domain',
      severity: 'error',
      comment: 'ports/ are interfaces over domain types: they import only domain/, geo/ and other ports.',
      from: shipped('^src/ports/'),
      to: { path: '^src/', pathNot: '^src/(domain|geo|ports)/' },
    },
    {
      name: 'ports-no-libraries',
      severity: 'error',
      comment: 'ports/ are interfaces: no drivers, frameworks or I/O built-ins.',
      from: shipped('^src/ports/'),
      to: { path: [DRIVERS, HTTP_FRAMEWORK, IO_BUILTINS] },
    },
    // ── services ─────────────────────────────────────────────────────────────────────────────
    {
      name: 'services-no-outer-layers',
      severity: 'error',
      comment:
        'services/ depend on ports, never on adapters, http/, roles/, cli/ or main: take what you need in the constructor.',
      from: shipped('^src/services/'),
      to: { path: ['^src/(adapters|http|roles|cli)/', '^src/main\\.ts$'] },
    },
    {
      name: 'services-no-drivers',
      severity: 'error',
      comment:
        'services/ call ports, never drivers (pg, pg-copy-streams, kysely, ioredis, nats, @electric-sql/*), the HTTP framework or I/O built-ins (node:fs, net, http, child_process, worker_threads).',
      from: shipped('^src/services/'),
      to: { path: [DRIVERS, HTTP_FRAMEWORK, IO_BUILTINS] },
    },
    // ── edges ────────────────────────────────────────────────────────────────────────────────
    {
      name: 'http-no-adapters',
      severity: 'error',
      comment: 'http/ routes call services; they never import adapters or drivers.',
      from: shipped('^src/http/'),
      to: { path: ['^src/adapters/', DRIVERS] },
    },
    {
      name: 'cli-no-drivers',
      severity: 'error',
      comment: 'cli/ is an edge like http/: it calls services through the context, no SQL or drivers.',
      from: shipped('^src/cli/'),
      to: { path: DRIVERS },
    },
    {
      name: 'adapters-only-from-composition-roots',
      severity: 'error',
      comment:
        'Only the composition roots (roles/, cli/, main.ts) construct adapters; everything else receives ports. (The layers with rules of their own above are left to those rules.)',
      from: shipped('^src/', [
        '^src/(adapters|roles|cli)/',
        '^src/main\\.ts$',
        '^src/(domain|geo|verifier|ports|services|http)/',
      ]),
      to: { path: '^src/adapters/' },
    },
    {
      name: 'drivers-only-in-adapters',
      severity: 'error',
      comment:
        'pg, pg-copy-streams, kysely, ioredis, nats and @electric-sql/* are imported only in adapters/.',
      from: shipped('^src/', '^src/adapters/'),
      to: { path: DRIVERS },
    },
    {
      name: 'adapters-inward',
      severity: 'error',
      comment: 'adapters/ implement ports: they do not import http/, roles/ or cli/.',
      from: shipped('^src/adapters/'),
      to: { path: '^src/(http|roles|cli)/' },
    },
    {
      name: 'roles-not-imported-inward',
      severity: 'error',
      comment:
        'roles/ is the composition root: domain, geo, verifier, ports, services and adapters never import it.',
      from: shipped('^src/(domain|geo|verifier|ports|services|adapters)/'),
      to: { path: '^src/roles/' },
    },
    {
      name: 'no-test-code-in-production',
      severity: 'error',
      comment: 'Production code does not import tests, test/ fixtures or *.fixture(s).ts files.',
      from: shipped('^(src|web)/'),
      to: { path: ['^test/', '\\.(test|fixtures?)\\.tsx?$'] },
    },
  ],
  options: {
    // Test files are never imported by shipped code; leaving them out keeps the graph small.
    exclude: { path: '\\.test\\.tsx?$' },
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
