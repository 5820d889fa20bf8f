// chai (installed with npm into node_modules) loaded through require() under tirun test.
// chai 5 is ESM-only, which goja cannot load; package.json pins chai 4 (CommonJS).
'use strict';
const chai = require('chai');
const { expect, assert } = chai;
chai.should();

describe('chai under tirun', function () {
	it('expect: equality, deep equality, types and lengths', function () {
		expect(1 + 1).to.equal(2);
		expect({ a: [1, { b: 2 }] }).to.deep.equal({ a: [1, { b: 2 }] });
		expect('tirun').to.be.a('string').with.lengthOf(5);
		expect([1, 2, 3]).to.include(2).and.not.include(4);
		expect(null).to.be.null;
		expect(undefined).to.be.undefined;
		expect(NaN).to.be.NaN;
		expect({ x: 1, y: 2 }).to.have.all.keys('x', 'y');
		expect(new Map([[1, 'a']])).to.be.an.instanceof(Map);
	});

	it('expect: throws and property assertions', function () {
		expect(() => { throw new TypeError('bad input'); }).to.throw(TypeError, /bad/);
		expect(() => {}).to.not.throw();
		expect({ nested: { deep: 'value' } }).to.have.nested.property('nested.deep', 'value');
	});

	it('assert style', function () {
		assert.strictEqual('a', 'a');
		assert.deepEqual({ a: 1 }, { a: 1 });
		assert.isTrue(true);
		assert.lengthOf([1, 2], 2);
		assert.throws(() => { throw new Error('x'); }, 'x');
	});

	it('should style (chai.should())', function () {
		(5).should.be.above(3);
		'abc'.should.have.string('b');
		[1, 2].should.have.lengthOf(2);
	});

	it('a failing chai assertion is an AssertionError with actual and expected', function () {
		let caught;
		try {
			expect({ a: 1 }).to.deep.equal({ a: 2 });
		} catch (e) {
			caught = e;
		}
		expect(caught).to.be.an.instanceof(chai.AssertionError);
		expect(caught.name).to.equal('AssertionError');
		expect(caught.actual).to.deep.equal({ a: 1 });
		expect(caught.expected).to.deep.equal({ a: 2 });
		expect(caught.message).to.match(/expected .* to deeply equal/);
	});

	it('works with promises', async function () {
		const v = await new Promise(resolve => setTimeout(() => resolve(42), 5));
		expect(v).to.equal(42);
	});
});
