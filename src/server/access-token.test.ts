import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { AccessCheck, checkAccessToken, newAccessToken } from './access-token.ts';

const TOKEN = 'a-long-enough-token-123';

function requestWith(headers: Record<string, string>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

describe('AccessCheck', () => {
  const access = new AccessCheck(TOKEN, 8080);

  it('lets in the token as a bearer header or as its port’s cookie', () => {
    assert.equal(access.allows(requestWith({ authorization: `Bearer ${TOKEN}` })), true);
    assert.equal(access.allows(requestWith({ authorization: `bearer   ${TOKEN} ` })), true);
    assert.equal(access.allows(requestWith({ cookie: `a=1; memwatcher-8080=${TOKEN}; b=2` })), true);
  });

  it('keeps out missing, wrong, longer, shorter tokens and other ports’ cookies', () => {
    for (const headers of [
      {},
      { authorization: 'Bearer ' },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Bearer ${TOKEN.slice(0, -1)}` },
      { authorization: `Basic ${TOKEN}` },
      { cookie: `memwatcher-8081=${TOKEN}` },
      { cookie: `memwatcher-8080=${TOKEN.toUpperCase()}` },
    ]) {
      assert.equal(access.allows(requestWith(headers)), false, JSON.stringify(headers));
    }
    assert.equal(access.matches(undefined), false);
    assert.equal(access.matches(''), false);
  });

  it('makes tokens that pass its own checks, different each time', () => {
    const a = newAccessToken();
    assert.equal(checkAccessToken(a), a);
    assert.notEqual(newAccessToken(), a);
    assert.ok(a.length >= 32);
  });

  it('refuses tokens that are short or would break a cookie or header', () => {
    for (const bad of [
      'short',
      'has space in it 12345',
      'semi;colon-0123456789',
      'quote"0123456789abcdef',
      'é-0123456789abcdefgh',
    ])
      assert.throws(() => checkAccessToken(bad), { code: 'ERR_INVALID_OPTION' }, bad);
  });
});
