// should.js (installed with npm into node_modules) loaded through require() under tirun test.
'use strict';
const should = require('should');

describe('should under tirun', function () {
	it('extends Object.prototype with .should', function () {
		(5).should.be.exactly(5).and.be.a.Number();
		'tirun'.should.startWith('ti').and.have.length(5);
		({ a: 1, b: [1, 2] }).should.eql({ a: 1, b: [1, 2] });
		[1, 2, 3].should.containEql(2);
		({ name: 'x' }).should.have.property('name', 'x');
		true.should.be.true();
	});

	it('static should() for null and undefined', function () {
		should(null).be.null();
		should(undefined).be.undefined();
		should.exist(0);
		should.not.exist(null);
	});

	it('throw assertions', function () {
		(() => { throw new RangeError('out of range'); }).should.throw(/range/);
		should(() => { throw new Error('boom'); }).throw('boom');
		(() => {}).should.not.throw();
	});

	it('promise assertions', function () {
		return Promise.resolve(10).should.be.fulfilledWith(10)
			.then(() => Promise.reject(new Error('no')).should.be.rejectedWith('no'));
	});

	it('a failing should assertion is an AssertionError', function () {
		let caught;
		try {
			({ a: 1 }).should.eql({ a: 2 });
		} catch (e) {
			caught = e;
		}
		should.exist(caught);
		caught.name.should.equal('AssertionError');
		caught.message.should.match(/expected Object \{ a: 1 \} to equal Object \{ a: 2 \}/);
	});
});
