import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

/**
 * A module hook that makes every `@opentelemetry/*` import fail, registered before the code
 * under test is loaded: if the main entry touched OpenTelemetry, the import would throw.
 */
const FORBID = `
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`
  export async function resolve(specifier, context, next) {
    if (specifier.startsWith('@opentelemetry/')) throw new Error('loaded ' + specifier);
    return next(specifier, context);
  }
\`));`;

async function importWithoutOtel(module: string): Promise<{ ok: boolean; output: string }> {
  const code = `import(${JSON.stringify(module)}).then(
    (m) => console.log('imported', Object.keys(m).length),
    (e) => { console.log('failed', e.message); process.exitCode = 3; })`;
  try {
    const { stdout } = await run(process.execPath, [
      '--import', 'tsx', '--import', `data:text/javascript,${encodeURIComponent(FORBID)}`, '-e', code,
    ], { cwd: ROOT });
    return { ok: true, output: stdout };
  } catch (err) {
    return { ok: false, output: String((err as { stdout?: string }).stdout) };
  }
}

describe('respool/otel packaging', () => {
  it('importing respool loads no @opentelemetry module', async () => {
    const main = await importWithoutOtel('./lib/index.ts');
    expect(main.output).to.match(/^imported \d+/);
    expect(main.ok).to.equal(true);
    // The hook does bite: the otel entry cannot load without @opentelemetry/api.
    const otel = await importWithoutOtel('./lib/otel/index.ts');
    expect(otel.ok).to.equal(false);
    expect(otel.output).to.include('loaded @opentelemetry/api');
  });

  it('package.json exports respool/otel, with @opentelemetry/api an optional peer', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(pkg.exports['./otel']).to.deep.equal({ types: './dist/otel/index.d.ts', import: './dist/otel/index.js' });
    expect(pkg.peerDependencies['@opentelemetry/api']).to.be.a('string');
    expect(pkg.peerDependenciesMeta['@opentelemetry/api']).to.deep.equal({ optional: true });
    expect(pkg.dependencies).to.not.have.property('@opentelemetry/api');
  });
});
