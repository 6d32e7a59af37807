/**
 * Pure parts of the meeting features (protocol.md 13.7, 13.8, 2.6): deep equality of metadata, the TURN list
 * of the metadata push, meeting reactions in endpoint messages.
 */
import { expect } from '@open-wc/testing';
import { jsonEqual, parseMetadataServices } from '../../../src/conference/features/RoomMetadata.js';
import { endpointReactions } from '../../../src/conference/features/Reactions.js';

describe('meeting features: pure functions', () => {
  it('jsonEqual compares JSON structurally, whatever the key order', () => {
    expect(jsonEqual({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).to.equal(true);
    expect(jsonEqual({ a: 1 }, { a: 1, b: undefined })).to.equal(false);
    expect(jsonEqual([1, 2], [2, 1])).to.equal(false);
    expect(jsonEqual({ a: [] }, { a: {} })).to.equal(false);
    expect(jsonEqual(null, {})).to.equal(false);
    expect(jsonEqual('x', 'x')).to.equal(true);
  });

  it('parseMetadataServices keeps well-formed entries and types their fields', () => {
    const services = parseMetadataServices([
      { type: 'turn', host: '127.0.0.1', port: 3478, transport: 'udp', username: '1700000000', password: 'p', expires: 1700000000, restricted: true },
      { type: 'stun', host: 'stun.example.com', port: 99999 },
      { type: 'turn' },
      'junk',
      null,
    ]);
    expect(services).to.deep.equal([
      { type: 'turn', host: '127.0.0.1', port: 3478, transport: 'udp', username: '1700000000', password: 'p', expires: '1700000000', restricted: true },
      { type: 'stun', host: 'stun.example.com', port: undefined, transport: undefined, username: undefined, password: undefined, expires: undefined, restricted: false },
    ]);
    expect(parseMetadataServices({ not: 'a list' })).to.deep.equal([]);
  });

  it('endpointReactions reads the known keys of an endpoint-reaction message only', () => {
    expect(endpointReactions({ name: 'endpoint-reaction', reactions: ['like', 'nope', 'love'], timestamp: 1 })).to.deep.equal(['like', 'love']);
    expect(endpointReactions({ name: 'endpoint-reaction', reactions: 'like' })).to.equal(undefined);
    expect(endpointReactions({ name: 'something-else', reactions: ['like'] })).to.equal(undefined);
    expect(endpointReactions(null)).to.equal(undefined);
  });
});
