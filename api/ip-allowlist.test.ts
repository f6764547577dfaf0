// CALLBACK_IP_ALLOWLIST and TRUST_PROXY entries (security review L2): addresses and CIDRs of
// both families, IPv4-mapped IPv6 peers, and a malformed entry named.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IpAllowlistError, parseIpAllowlist } from './ip-allowlist.js';

const list = (text: string) => {
  const parsed = parseIpAllowlist(text);
  assert.ok(parsed);
  return parsed;
};

test('unset or blank means no list (no restriction)', () => {
  assert.equal(parseIpAllowlist(undefined), undefined);
  assert.equal(parseIpAllowlist(' , '), undefined);
});

test('single IPv4 and IPv6 addresses match only themselves', () => {
  const l = list('203.0.113.7, 2001:db8::1');
  assert.equal(l.allows('203.0.113.7'), true);
  assert.equal(l.allows('203.0.113.8'), false);
  assert.equal(l.allows('2001:db8::1'), true);
  assert.equal(l.allows('2001:0db8:0:0:0:0:0:1'), true, 'any spelling of the same address');
  assert.equal(l.allows('2001:db8::2'), false);
});

test('CIDRs of both families match their range and nothing outside it', () => {
  const l = list('10.0.0.0/8,192.168.4.0/22 2001:db8:aa::/48');
  assert.equal(l.allows('10.255.1.2'), true);
  assert.equal(l.allows('11.0.0.1'), false);
  assert.equal(l.allows('192.168.7.255'), true);
  assert.equal(l.allows('192.168.8.0'), false);
  assert.equal(l.allows('2001:db8:aa:ffff::1'), true);
  assert.equal(l.allows('2001:db8:ab::1'), false);
});

test('an IPv4-mapped IPv6 peer matches the IPv4 rules; a mapped entry is read as IPv4', () => {
  const l = list('203.0.113.7,10.0.0.0/8');
  assert.equal(l.allows('::ffff:203.0.113.7'), true);
  assert.equal(l.allows('::FFFF:10.1.2.3'), true);
  assert.equal(l.allows('::ffff:203.0.113.8'), false);
  const mapped = list('::ffff:198.51.100.0/120');
  assert.equal(mapped.allows('198.51.100.42'), true);
  assert.equal(mapped.allows('198.51.101.1'), false);
});

test('what is not an address never matches', () => {
  const l = list('0.0.0.0/0');
  assert.equal(l.allows('10.0.0.1'), true);
  assert.equal(l.allows('not-an-ip'), false);
  assert.equal(l.allows(''), false);
  assert.equal(l.allows('2001:db8::1'), false, 'an IPv4 rule does not cover IPv6');
});

test('every malformed entry is named in one error', () => {
  assert.throws(
    () => parseIpAllowlist('10.0.0.1, 10.0.0.0/33, example.com, 2001:db8::/129, 1.2.3.4/x, 300.1.1.1'),
    (err: unknown) => {
      assert.ok(err instanceof IpAllowlistError);
      assert.deepEqual(err.entries, ['10.0.0.0/33', 'example.com', '2001:db8::/129', '1.2.3.4/x', '300.1.1.1']);
      assert.match(err.message, /"example\.com"/);
      return true;
    },
  );
});
