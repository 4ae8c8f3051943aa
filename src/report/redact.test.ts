import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactModel, redactSuspect, safeClassName, safeEdgeName, safeStep } from './redact.ts';
import { SECRET_KEY, SECRET_VALUE, sampleModel, tokenSuspect } from './sample-model.fixture.ts';

describe('redaction of heap-derived names', () => {
  it('keeps names that look like code: identifiers, indexes, symbols, engine-named edges', () => {
    assert.equal(safeEdgeName('sessions', 'property'), 'sessions');
    assert.equal(safeEdgeName('$cache_2', 'property'), '$cache_2');
    assert.equal(safeEdgeName('42', 'property'), '42');
    assert.equal(
      safeEdgeName('<symbol node:entry_point_module>', 'property'),
      '<symbol node:entry_point_module>',
    );
    assert.equal(
      safeEdgeName('part of key (Foo @3) -> value (Bar @5) pair in WeakMap', 'internal'),
      'part of key (Foo @3) -> value (Bar @5) pair in WeakMap',
    );
  });

  it('replaces data-like property names by their length', () => {
    assert.equal(safeEdgeName(SECRET_KEY, 'property'), `‹key, ${SECRET_KEY.length} chars›`);
    assert.equal(safeEdgeName('Bearer abc', 'property'), '‹key, 10 chars›');
    // Long identifier-like keys are more likely generated (tokens, hashes) than written.
    const token = 'a'.repeat(41);
    assert.equal(safeEdgeName(token, 'property'), '‹key, 41 chars›');
    assert.equal(safeEdgeName('a'.repeat(40), 'property'), 'a'.repeat(40));
  });

  it('redacts data-like keys in plain-object shape names, in suspects as in the census', () => {
    assert.equal(safeClassName('{alice@example.com, id}', 'object'), '{‹key, 17 chars›, id}');
    assert.equal(safeClassName('{id, user, …}', 'object'), '{id, user, …}');
    assert.equal(safeClassName('(string)', 'string'), '(string)');
    assert.equal(safeClassName('(not a class name)', 'string'), '(string)');
    const suspect = redactSuspect({ ...tokenSuspect(), name: '{alice@example.com, id}', type: 'object' });
    assert.equal(suspect.name, '{‹key, 17 chars›, id}');
    assert.equal(safeClassName(suspect.name, 'object'), suspect.name, 'idempotent');
  });

  it('is idempotent: a redacted key stays as it is', () => {
    const once = safeEdgeName(SECRET_KEY, 'property');
    assert.equal(safeEdgeName(once, 'property'), once);
    const suspect = redactSuspect(tokenSuspect());
    assert.deepEqual(redactSuspect(suspect), suspect);
  });

  it('describes string nodes by length and keeps the engine’s own description', () => {
    const step = safeStep({
      edge: 'token',
      edgeType: 'property',
      node: SECRET_VALUE,
      nodeType: 'string',
      nodeId: 9,
    });
    assert.equal(step.node, `(string, ${SECRET_VALUE.length} chars)`);
    const engine = {
      edge: '',
      edgeType: 'property',
      node: '(string, 12 chars)',
      nodeType: 'concatenated string',
      nodeId: 9,
    };
    assert.equal(safeStep(engine), engine);
    const object = { edge: 'x', edgeType: 'property', node: 'Session', nodeType: 'object', nodeId: 9 };
    assert.equal(safeStep(object), object);
  });

  it('leaves no planted secret anywhere in a model', () => {
    const text = JSON.stringify(redactModel(sampleModel()));
    assert.equal(text.includes(SECRET_VALUE), false);
    assert.equal(text.includes(SECRET_KEY), false);
    // Not by dropping things: the suspects and classes are all still there.
    const model = redactModel(sampleModel());
    assert.equal(model.suspects.length, 2);
    assert.equal(model.classes.length, sampleModel().classes.length);
    assert.equal(model.classes.at(-1)?.name, '(string)');
    assert.equal(model.suspects[1]?.retainerPath.at(-1)?.edge, `‹key, ${SECRET_KEY.length} chars›`);
  });
});
