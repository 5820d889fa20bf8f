// Self-test of `tirun test`: the mocha BDD interface and require('assert') seen from JS.
// Every test here must pass; failure paths are covered by the Go tests of package testrunner.
'use strict';
const assert = require('assert');

const events = [];

describe('tirun test runner', function () {
	before(function () {
		events.push('before');
		this.fromBefore = 'shared';
	});
	beforeEach(function () { events.push('beforeEach'); });
	afterEach(function () { events.push('afterEach'); });
	after(function () {
		// Runs last: check the hooks ran around each test in mocha's order.
		assert.deepStrictEqual(events.slice(0, 5), ['before', 'beforeEach', 'sync', 'afterEach', 'beforeEach']);
	});

	it('runs a synchronous test', function () {
		events.push('sync');
		assert.strictEqual(this.fromBefore, 'shared');
	});

	it('waits for done()', function (done) {
		setTimeout(() => {
			assert.ok(true);
			done();
		}, 10);
	});

	it('waits for a returned promise', function () {
		return new Promise(resolve => setTimeout(resolve, 10)).then(() => assert.ok(true));
	});

	it('waits for an async function', async function () {
		const v = await Promise.resolve(7);
		assert.strictEqual(v, 7);
	});

	it('accepts a longer timeout from this.timeout()', function (done) {
		this.timeout(3000);
		assert.strictEqual(this.timeout(), 3000);
		setTimeout(done, 50);
	});

	it('can skip itself', function () {
		this.skip();
	});

	it.skip('is pending with .skip', function () {
		throw new Error('never runs');
	});

	it('is pending without a callback');

	describe('nested suite', function () {
		beforeEach(function () { this.inner = true; });
		it('inherits the outer context', function () {
			assert.strictEqual(this.fromBefore, 'shared');
			assert.strictEqual(this.inner, true);
		});
		context('context alias', function () {
			specify('specify alias works', function () {});
		});
	});
});

describe('require("assert")', function () {
	it('is the same module as node:assert', function () {
		assert.strictEqual(require('node:assert'), assert);
	});

	it('compares deeply and strictly', function () {
		assert.deepStrictEqual({ a: [1, { b: new Date(0) }] }, { a: [1, { b: new Date(0) }] });
		assert.notDeepStrictEqual({ a: 1 }, { a: '1' });
		assert.deepEqual({ a: 1 }, { a: '1' });
	});

	it('throws AssertionError with actual, expected and operator', function () {
		assert.throws(() => assert.strictEqual(1, 2), err => {
			assert.ok(err instanceof assert.AssertionError);
			assert.strictEqual(err.actual, 1);
			assert.strictEqual(err.expected, 2);
			assert.strictEqual(err.operator, 'strictEqual');
			return true;
		});
	});

	it('checks rejections', async function () {
		await assert.rejects(Promise.reject(new TypeError('x')), TypeError);
		await assert.doesNotReject(Promise.resolve());
	});

	it('matches strings', function () {
		assert.match('tirun', /^ti/);
		assert.doesNotMatch('tirun', /node/);
	});
});
