import { expect } from 'chai';
import { bufferSlot, crc16, keySlot, stringSlot } from '../../lib/cluster/slot.js';
import { sharedCluster } from '../helpers/redis-cluster.js';

describe('cluster/slot', () => {
  it('computes CRC16-XMODEM: the spec test vector "123456789" is 0x31C3', () => {
    expect(crc16(Buffer.from('123456789'))).to.equal(0x31c3);
  });

  it('hashes the hash tag only: {user1}.a and {user1}.b share a slot', () => {
    expect(stringSlot('{user1}.a')).to.equal(stringSlot('{user1}.b'));
    expect(stringSlot('{user1}.a')).to.equal(stringSlot('user1'));
  });

  it('follows the spec for odd tags: empty {}, first { with the first } after it', () => {
    // '{}' is no tag: the whole key is hashed.
    expect(stringSlot('{}a')).to.equal(crc16(Buffer.from('{}a')) % 16384);
    expect(stringSlot('foo{{bar}}zap')).to.equal(stringSlot('{bar'));
    expect(stringSlot('foo{bar}{zap}')).to.equal(stringSlot('bar'));
    expect(stringSlot('{a')).to.equal(crc16(Buffer.from('{a')) % 16384);
  });

  it('hashes strings, numbers, Buffers and non-ASCII text as the bytes the server sees', () => {
    expect(keySlot(42)).to.equal(keySlot('42'));
    expect(keySlot(Buffer.from('héllo'))).to.equal(stringSlot('héllo'));
    expect(bufferSlot(Buffer.from('{é}x'))).to.equal(stringSlot('{é}y'));
  });

  it('agrees with the server (CLUSTER KEYSLOT) on 200 keys', async function () {
    this.timeout(60_000);
    const cluster = await sharedCluster();
    const node = cluster.servers[0]!;
    for (let i = 0; i < 200; i++) {
      const key = i % 3 === 0 ? `{tag${i}}k${i}` : i % 3 === 1 ? `ключ${i}` : `user:${i * 7919}`;
      expect(Number(await node.cli('CLUSTER', 'KEYSLOT', key)), key).to.equal(stringSlot(key));
    }
  });
});
