import { expect } from 'chai';
import { SubscriptionHandle } from '../../lib/pubsub/subscription.js';
import { Registry, type Entry } from '../../lib/pubsub/registry.js';

/** A subscription whose owner records unsubscribe calls. */
function subscription(channels: string[]) {
  const unsubscribed: SubscriptionHandle[] = [];
  const owner = { unsubscribe: async (s: SubscriptionHandle) => void unsubscribed.push(s) };
  return { sub: new SubscriptionHandle(owner, 'channel', channels), unsubscribed };
}

describe('SubscriptionHandle', () => {
  it('is confirmed once the server confirmed every channel', async () => {
    const { sub } = subscription(['a', 'b']);
    let confirmed = false;
    void sub.confirmed.then(() => (confirmed = true));
    sub.expectAll();
    sub.confirm('a');
    sub.confirm('a'); // a repeat does not count for 'b'
    await Promise.resolve();
    expect(confirmed).to.equal(false);
    sub.confirm('b');
    await sub.confirmed;
  });

  it('tells \'lost\' once per outage and \'restored\' when all channels are back', () => {
    const { sub } = subscription(['a', 'b']);
    sub.expectAll();
    sub.confirm('a');
    sub.confirm('b');
    const events: string[] = [];
    sub.on('lost', () => events.push('lost'));
    sub.on('restored', () => events.push('restored'));
    for (let attempt = 0; attempt < 3; attempt++) sub.lost(new Error('refused'));
    sub.expectAll();
    sub.confirm('a');
    expect(events).to.deep.equal(['lost']);
    sub.confirm('b');
    sub.lost(new Error('again'));
    expect(events).to.deep.equal(['lost', 'restored', 'lost']);
  });

  it('tells nothing before it was first confirmed, and nothing once closed', () => {
    const { sub } = subscription(['a']);
    const events: string[] = [];
    sub.on('lost', () => events.push('lost'));
    sub.lost(new Error('early'));
    sub.expectAll();
    sub.confirm('a');
    sub.close();
    sub.lost(new Error('late'));
    expect(events).to.deep.equal([]);
  });

  it('failPending rejects a subscription not yet confirmed, only', async () => {
    const { sub } = subscription(['a']);
    sub.expectAll();
    sub.failPending(new Error('auth'));
    const error = await sub.confirmed.then(() => null, (err: Error) => err.message);
    expect(error).to.equal('auth');
  });

  it('unsubscribe asks its owner once', async () => {
    const { sub, unsubscribed } = subscription(['a']);
    await sub.unsubscribe();
    sub.close();
    await sub.unsubscribe();
    expect(unsubscribed).to.have.length(1);
  });

  it('sends a throwing listener\'s error to \'error\' listeners', () => {
    const { sub } = subscription(['a']);
    const errors: unknown[] = [];
    sub.on('error', (err) => errors.push(err));
    const boom = new Error('boom');
    sub.listenerFailed(boom);
    expect(errors).to.deep.equal([boom]);
  });
});

describe('Registry', () => {
  const entry = (name: string): Entry => ({
    listener: () => undefined,
    buffers: false,
    subscription: subscription([name]).sub,
  });

  it('reports names gaining their first listener and losing their last', () => {
    const registry = new Registry();
    const a = entry('x');
    const b = entry('x');
    expect(registry.add('channel', ['x', 'y'], a)).to.deep.equal(['x', 'y']);
    expect(registry.add('channel', ['x'], b)).to.deep.equal([]);
    expect(registry.add('pattern', ['x'], b)).to.deep.equal(['x']);
    expect(registry.remove('channel', ['x', 'y'], a)).to.deep.equal(['y']);
    expect(registry.remove('channel', ['x'], a)).to.deep.equal([]);
    expect(registry.names('channel')).to.deep.equal(['x']);
    expect(registry.remove('channel', ['x'], b)).to.deep.equal(['x']);
    expect(registry.names('pattern')).to.deep.equal(['x']);
    expect(registry.subscriptions().size).to.equal(1);
    expect(registry.size).to.equal(1);
  });
});
