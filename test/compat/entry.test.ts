import { expect } from 'chai';
import { readFileSync } from 'node:fs';

describe('respool/compat packaging', () => {
  it('package.json exports respool/compat beside respool and respool/otel', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(pkg.exports['./compat']).to.deep.equal({ types: './dist/compat/index.d.ts', import: './dist/compat/index.js' });
    // The libraries it serves are the user's choice, never respool's dependencies.
    for (const lib of ['bullmq', 'ioredis', 'redis', 'connect-redis', '@keyv/redis']) {
      expect(pkg.dependencies).to.not.have.property(lib);
    }
  });

  it('the main entry does not load the compat layer', () => {
    const main = readFileSync(new URL('../../lib/index.ts', import.meta.url), 'utf8');
    expect(main).to.not.include('compat');
  });
});
