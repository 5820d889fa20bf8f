package testrunner

import (
	"strings"
	"testing"
)

// The assert module is checked from JS: each it() exercises one function,
// both the passing and the failing path (a failure must be an
// AssertionError carrying actual, expected and operator).
const assertSpec = `
var assert = require('assert');
function fails(fn, operator) {
  try { fn(); } catch (e) {
    if (!(e instanceof assert.AssertionError)) throw new Error('not an AssertionError: ' + e);
    if (e.name !== 'AssertionError' || e.code !== 'ERR_ASSERTION') throw new Error('bad name/code ' + e.name + ' ' + e.code);
    if (operator !== undefined && e.operator !== operator) throw new Error('operator ' + e.operator + ' != ' + operator);
    return e;
  }
  throw new Error('expected an AssertionError');
}
describe('assert', function () {
  it('same module for every name', function () {
    assert.strictEqual(require('node:assert'), assert);
    assert.strictEqual(require('assert/strict'), assert.strict);
    assert.strictEqual(require('node:assert/strict'), assert.strict);
  });
  it('assert() and ok', function () {
    assert(true); assert.ok(1); assert.ok('x');
    var e = fails(function () { assert(0); }, '==');
    if (e.actual !== 0 || e.expected !== true) throw new Error('actual/expected not set');
    e = fails(function () { assert.ok(null, 'custom'); });
    assert.strictEqual(e.message, 'custom');
    assert.strictEqual(e.generatedMessage, false);
    fails(function () { assert(); });
  });
  it('equal and notEqual are loose', function () {
    assert.equal(1, '1'); assert.equal(null, undefined); assert.equal(NaN, NaN);
    assert.notEqual(1, 2);
    var e = fails(function () { assert.equal(1, 2); }, '==');
    assert.strictEqual(e.actual, 1); assert.strictEqual(e.expected, 2);
    fails(function () { assert.notEqual(1, '1'); }, '!=');
  });
  it('strictEqual and notStrictEqual use Object.is', function () {
    assert.strictEqual(NaN, NaN); assert.notStrictEqual(0, -0); assert.notStrictEqual(1, '1');
    var e = fails(function () { assert.strictEqual(1, '1'); }, 'strictEqual');
    assert.match(e.message, /strictly equal/);
    fails(function () { assert.notStrictEqual(2, 2); }, 'notStrictEqual');
    var err = new Error('mine');
    try { assert.strictEqual(1, 2, err); } catch (x) { assert.strictEqual(x, err); }
  });
  it('deepEqual is loose, deepStrictEqual is strict', function () {
    assert.deepEqual({ a: 1, b: [1, 2] }, { a: '1', b: ['1', 2] });
    assert.deepStrictEqual({ a: 1, b: [1, { c: new Date(0) }] }, { b: [1, { c: new Date(0) }], a: 1 });
    assert.deepStrictEqual(new Map([[1, { x: 1 }]]), new Map([[1, { x: 1 }]]));
    assert.deepStrictEqual(new Set([1, { y: 2 }]), new Set([{ y: 2 }, 1]));
    assert.deepStrictEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]));
    assert.deepStrictEqual(/a/g, /a/g);
    var c1 = { n: 1 }; c1.self = c1; var c2 = { n: 1 }; c2.self = c2;
    assert.deepStrictEqual(c1, c2);
    fails(function () { assert.deepStrictEqual({ a: 1 }, { a: '1' }); }, 'deepStrictEqual');
    fails(function () { assert.deepStrictEqual([1, 2], [1, 2, 3]); }, 'deepStrictEqual');
    fails(function () { assert.deepStrictEqual(Object.create(null), {}); }, 'deepStrictEqual');
    fails(function () { assert.deepStrictEqual(new Set([1]), new Set([2])); }, 'deepStrictEqual');
    fails(function () { assert.deepEqual({ a: 1 }, { a: 2 }); }, 'deepEqual');
    fails(function () { assert.deepStrictEqual(new Error('a'), new Error('b')); });
  });
  it('notDeepStrictEqual and notDeepEqual', function () {
    assert.notDeepStrictEqual({ a: 1 }, { a: '1' });
    assert.notDeepEqual({ a: 1 }, { a: 2 });
    fails(function () { assert.notDeepStrictEqual([1], [1]); }, 'notDeepStrictEqual');
    fails(function () { assert.notDeepEqual([1], ['1']); }, 'notDeepEqual');
  });
  it('throws with every kind of expectation', function () {
    assert.throws(function () { throw new TypeError('bad thing'); });
    assert.throws(function () { throw new TypeError('bad thing'); }, TypeError);
    assert.throws(function () { throw new TypeError('bad thing'); }, /bad/);
    assert.throws(function () { throw new TypeError('bad thing'); }, { name: 'TypeError', message: /thing/ });
    assert.throws(function () { throw new TypeError('bad thing'); }, function (e) { return e.message === 'bad thing'; });
    var e = fails(function () { assert.throws(function () {}); }, 'throws');
    assert.match(e.message, /Missing expected exception/);
    fails(function () { assert.throws(function () { throw new Error('x'); }, TypeError); });
    fails(function () { assert.throws(function () { throw new Error('x'); }, /y/); });
    fails(function () { assert.throws(function () { throw new Error('x'); }, { message: 'z' }); });
    e = fails(function () { assert.throws(function () {}, 'my message'); });
    assert.strictEqual(e.message, 'my message');
    assert.throws(function () { assert.throws('not a function'); }, TypeError);
  });
  it('doesNotThrow', function () {
    assert.doesNotThrow(function () {});
    var e = fails(function () { assert.doesNotThrow(function () { throw new Error('oops'); }); }, 'doesNotThrow');
    assert.match(e.message, /oops/);
  });
  it('rejects and doesNotReject', async function () {
    await assert.rejects(Promise.reject(new RangeError('r')), RangeError);
    await assert.rejects(async function () { throw new Error('from fn'); }, /from fn/);
    await assert.doesNotReject(Promise.resolve(1));
    var caught;
    try { await assert.rejects(Promise.resolve(1)); } catch (e) { caught = e; }
    assert.ok(caught instanceof assert.AssertionError, 'rejects must fail on a fulfilled promise');
    assert.strictEqual(caught.operator, 'rejects');
    caught = undefined;
    try { await assert.doesNotReject(Promise.reject(new Error('no'))); } catch (e) { caught = e; }
    assert.strictEqual(caught.operator, 'doesNotReject');
  });
  it('match and doesNotMatch', function () {
    assert.match('abc', /b/);
    assert.doesNotMatch('abc', /z/);
    fails(function () { assert.match('abc', /z/); }, 'match');
    fails(function () { assert.match(123, /1/); }, 'match');
    fails(function () { assert.doesNotMatch('abc', /a/); }, 'doesNotMatch');
    assert.throws(function () { assert.match('a', 'a'); }, TypeError);
  });
  it('fail and ifError', function () {
    var e = fails(function () { assert.fail('boom'); }, 'fail');
    assert.strictEqual(e.message, 'boom');
    assert.strictEqual(fails(function () { assert.fail(); }).message, 'Failed');
    assert.ifError(null); assert.ifError(undefined);
    assert.throws(function () { assert.ifError(new Error('e')); }, /e/);
    fails(function () { assert.ifError('x'); }, 'ifError');
  });
  it('strict mode maps the loose names', function () {
    var s = assert.strict;
    s.equal(1, 1);
    fails(function () { s.equal(1, '1'); }, 'strictEqual');
    fails(function () { s.deepEqual({ a: 1 }, { a: '1' }); }, 'deepStrictEqual');
    s(true);
  });
  it('missing arguments are errors', function () {
    assert.throws(function () { assert.strictEqual(1); }, { code: 'ERR_MISSING_ARGS' });
  });
  it('reports a deliberate failure', function () {
    assert.deepStrictEqual({ a: 1 }, { a: 2 });
  });
});
`

func TestAssertModule(t *testing.T) {
	rec, stats, _ := runJS(t, assertSpec, nil)
	for _, r := range rec.results {
		if r.Title == "reports a deliberate failure" {
			continue
		}
		if r.State != Passed {
			t.Errorf("%s: %s: %v", r.FullTitle, r.State, r.Err)
		}
	}
	e := rec.want(t, "reports a deliberate failure", Failed).Err
	if e.Name != "AssertionError" || e.Operator != "deepStrictEqual" || !e.HasDiff ||
		!strings.Contains(e.Actual, `"a": 1`) || !strings.Contains(e.Expected, `"a": 2`) {
		t.Fatalf("failure lacks actual/expected for reporters: %+v", e)
	}
	if stats.Failures != 1 || stats.Passes != 13 {
		t.Fatalf("%+v", stats)
	}
}
