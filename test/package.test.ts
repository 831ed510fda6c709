import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const json = (file: string) => JSON.parse(readFileSync(join(ROOT, file), 'utf8'));

/** What `npm pack` ships (issue 8.7): the license it names, and source maps that work. */
describe('the package', function () {
  it('has the LICENSE file package.json names (MIT, respool contributors, 2026)', function () {
    expect(json('package.json').license).to.equal('MIT');
    const text = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    expect(text).to.match(/^MIT License\n\nCopyright \(c\) 2026 respool contributors\n/);
  });

  it('ships source maps with their sources inside (only dist/ is packed, not lib/)', function () {
    expect(json('package.json').files).to.deep.equal(['dist']);
    const build = json('tsconfig.build.json').compilerOptions;
    expect(build.sourceMap).to.equal(true);
    expect(build.inlineSources).to.equal(true);
    expect(build.declarationMap).to.equal(false); // .d.ts.map would point at lib/*.ts, not shipped
  });

  it('npm start runs the demo from demo/', function () {
    expect(json('package.json').scripts.start).to.equal('node --import tsx demo/demo.ts');
    expect(existsSync(join(ROOT, 'demo/demo.ts'))).to.equal(true);
  });
});
