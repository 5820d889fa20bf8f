// require('assert') for tirun: the Node.js assert API in plain JavaScript.
// Evaluated once per runtime; the value of this script is the module.
(function () {
  'use strict';

  // ---- inspect: a compact util.inspect for failure messages ----
  function inspect(value, depth, seen) {
    depth = depth === undefined ? 3 : depth;
    seen = seen || [];
    if (value === null) return 'null';
    switch (typeof value) {
      case 'undefined': return 'undefined';
      case 'string': return "'" + value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n') + "'";
      case 'number': return Object.is(value, -0) ? '-0' : String(value);
      case 'bigint': return String(value) + 'n';
      case 'boolean': return String(value);
      case 'symbol': return value.toString();
      case 'function': return '[Function: ' + (value.name || '(anonymous)') + ']';
    }
    if (seen.indexOf(value) >= 0) return '[Circular]';
    if (value instanceof Date) return isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
    if (value instanceof RegExp) return String(value);
    if (value instanceof Error) return value.stack ? String(value.stack).split('\n')[0] : String(value);
    if (depth < 0) return Array.isArray(value) ? '[Array]' : '[Object]';
    var inner = seen.concat([value]);
    var item = function (v) { return inspect(v, depth - 1, inner); };
    if (Array.isArray(value)) {
      if (value.length === 0) return '[]';
      var items = value.slice(0, 100).map(item);
      if (value.length > 100) items.push('... ' + (value.length - 100) + ' more items');
      return '[ ' + items.join(', ') + ' ]';
    }
    if (value instanceof Map) {
      var m = [];
      value.forEach(function (v, k) { m.push(item(k) + ' => ' + item(v)); });
      return 'Map(' + value.size + ') {' + (m.length ? ' ' + m.join(', ') + ' ' : '') + '}';
    }
    if (value instanceof Set) {
      var s = [];
      value.forEach(function (v) { s.push(item(v)); });
      return 'Set(' + value.size + ') {' + (s.length ? ' ' + s.join(', ') + ' ' : '') + '}';
    }
    if (ArrayBuffer.isView(value)) {
      return value.constructor.name + '(' + value.length + ') [ ' + Array.prototype.slice.call(value, 0, 50).join(', ') + ' ]';
    }
    var keys = Object.keys(value);
    var proto = Object.getPrototypeOf(value);
    var prefix = '';
    if (proto === null) prefix = '[Object: null prototype] ';
    else if (proto !== Object.prototype && proto.constructor && proto.constructor.name) prefix = proto.constructor.name + ' ';
    if (keys.length === 0) return prefix + '{}';
    var parts = keys.map(function (k) {
      var name = /^[A-Za-z_$][\w$]*$/.test(k) ? k : inspect(k);
      return name + ': ' + item(value[k]);
    });
    return prefix + '{ ' + parts.join(', ') + ' }';
  }

  // ---- AssertionError ----
  class AssertionError extends Error {
    constructor(options) {
      options = options || {};
      var generated = options.message === undefined;
      super(generated ? defaultMessage(options) : String(options.message));
      this.name = 'AssertionError';
      this.code = 'ERR_ASSERTION';
      this.actual = options.actual;
      this.expected = options.expected;
      this.operator = options.operator;
      this.generatedMessage = generated;
    }
  }

  var describeOperator = {
    '==': 'Expected values to be loosely equal:',
    '!=': 'Expected "actual" to be loosely unequal to "expected":',
    'strictEqual': 'Expected values to be strictly equal:',
    'notStrictEqual': 'Expected "actual" to be strictly unequal to:',
    'deepEqual': 'Expected values to be loosely deep-equal:',
    'notDeepEqual': 'Expected "actual" not to be loosely deep-equal to:',
    'deepStrictEqual': 'Expected values to be strictly deep-equal:',
    'notDeepStrictEqual': 'Expected "actual" not to be strictly deep-equal to:'
  };

  function defaultMessage(o) {
    var head = describeOperator[o.operator];
    if (head) return head + '\n\n' + inspect(o.actual) + '\n\nshould ' + (o.operator.indexOf('not') === 0 || o.operator === '!=' ? 'differ from' : 'equal') + '\n\n' + inspect(o.expected) + '\n';
    if (o.operator === 'fail') return 'Failed';
    return inspect(o.actual) + ' ' + o.operator + ' ' + inspect(o.expected);
  }

  // innerFail throws; an Error passed as the message is thrown as is (Node does the same).
  function innerFail(options) {
    if (options.message instanceof Error) throw options.message;
    throw new AssertionError(options);
  }

  function checkArity(name, args, n) {
    if (args.length < n) {
      var err = new TypeError('assert.' + name + ': the "' + (n === 1 ? 'value' : 'expected') + '" argument must be specified');
      err.code = 'ERR_MISSING_ARGS';
      throw err;
    }
  }

  // ---- deep equality ----
  function isDeepEqual(a, b, strict, memo) {
    if (strict ? Object.is(a, b) : (a == b || (a !== a && b !== b))) return true; // NaN equals NaN in both modes
    if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
      if (!strict && (typeof a !== 'object' || a === null) && (typeof b !== 'object' || b === null)) return a == b;
      return false;
    }
    if (strict && Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
    var tagA = Object.prototype.toString.call(a), tagB = Object.prototype.toString.call(b);
    if (tagA !== tagB) return false;
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    if (a instanceof Date) { if (a.getTime() !== b.getTime()) return false; }
    else if (a instanceof RegExp) { if (a.source !== b.source || a.flags !== b.flags || a.lastIndex !== b.lastIndex) return false; }
    else if (a instanceof Error) { if (a.message !== b.message || a.name !== b.name) return false; }
    else if (ArrayBuffer.isView(a)) {
      if (a.length !== b.length) return false;
      for (var i = 0; i < a.length; i++) if (strict ? !Object.is(a[i], b[i]) : a[i] != b[i]) return false;
    } else if (a instanceof ArrayBuffer) {
      return isDeepEqual(new Uint8Array(a), new Uint8Array(b), strict, memo);
    } else if (tagA === '[object Number]' || tagA === '[object String]' || tagA === '[object Boolean]') {
      if (!Object.is(a.valueOf(), b.valueOf())) return false;
    }
    // Cycles: a pair already under comparison is assumed equal.
    memo = memo || [];
    for (var m = 0; m < memo.length; m++) if (memo[m][0] === a && memo[m][1] === b) return true;
    memo.push([a, b]);
    try {
      if (a instanceof Map) return mapEqual(a, b, strict, memo);
      if (a instanceof Set) return setEqual(a, b, strict, memo);
      var ka = ownKeys(a, strict), kb = ownKeys(b, strict);
      if (ka.length !== kb.length) return false;
      for (var k = 0; k < ka.length; k++) {
        if (!Object.prototype.propertyIsEnumerable.call(b, ka[k])) return false;
        if (!isDeepEqual(a[ka[k]], b[ka[k]], strict, memo)) return false;
      }
      return true;
    } finally {
      memo.pop();
    }
  }

  function ownKeys(o, strict) {
    var keys = Object.keys(o);
    if (strict) {
      Object.getOwnPropertySymbols(o).forEach(function (s) {
        if (Object.prototype.propertyIsEnumerable.call(o, s)) keys.push(s);
      });
    }
    return keys;
  }

  function setEqual(a, b, strict, memo) {
    if (a.size !== b.size) return false;
    var rest = [];
    b.forEach(function (v) { rest.push(v); });
    var ok = true;
    a.forEach(function (v) {
      if (!ok) return;
      if (b.has(v) && (typeof v !== 'object' || v === null)) { rest.splice(rest.indexOf(v), 1); return; }
      for (var i = 0; i < rest.length; i++) {
        if (isDeepEqual(v, rest[i], strict, memo)) { rest.splice(i, 1); return; }
      }
      ok = false;
    });
    return ok;
  }

  function mapEqual(a, b, strict, memo) {
    if (a.size !== b.size) return false;
    var ok = true;
    a.forEach(function (v, k) {
      if (!ok) return;
      if (b.has(k)) { ok = isDeepEqual(v, b.get(k), strict, memo); return; }
      var found = false;
      b.forEach(function (bv, bk) {
        if (!found && typeof k === 'object' && isDeepEqual(k, bk, strict, memo) && isDeepEqual(v, bv, strict, memo)) found = true;
      });
      ok = found;
    });
    return ok;
  }

  // ---- expected-error matching for throws/rejects ----
  function matchesExpected(name, err, expected, message) {
    if (expected === undefined) return;
    if (typeof expected === 'function') {
      if (expected.prototype !== undefined && err instanceof expected) return;
      if (Error.isPrototypeOf(expected) || expected === Error) {
        innerFail({ actual: err, expected: expected, operator: name,
          message: message || 'The error is expected to be an instance of "' + expected.name + '". Received ' + inspect(err) });
      }
      if (expected.call({}, err) === true) return;
      innerFail({ actual: err, expected: expected, operator: name,
        message: message || 'The ' + (expected.name ? '"' + expected.name + '" ' : '') + 'validation function is expected to return "true". Received ' + inspect(err) });
    }
    if (expected instanceof RegExp) {
      if (expected.test(String(err))) return;
      innerFail({ actual: err, expected: expected, operator: name,
        message: message || 'The input did not match the regular expression ' + inspect(expected) + '. Input:\n\n' + inspect(String(err)) + '\n' });
    }
    if (typeof expected === 'object' && expected !== null) {
      var keys = Object.keys(expected);
      if (expected instanceof Error) keys.push('name', 'message');
      keys.forEach(function (k) {
        var want = expected[k], got = err === null || err === undefined ? undefined : err[k];
        var ok = want instanceof RegExp && typeof got === 'string' ? want.test(got) : isDeepEqual(got, want, true);
        if (!ok) {
          innerFail({ actual: err, expected: expected, operator: name,
            message: message || 'Expected values to be strictly deep-equal at property "' + k + '":\n\n' + inspect(got) + '\n\nshould equal\n\n' + inspect(want) + '\n' });
        }
      });
      return;
    }
    var err2 = new TypeError('assert.' + name + ': argument \'expected\' must be a function, RegExp or object; got ' + inspect(expected));
    err2.code = 'ERR_INVALID_ARG_TYPE';
    throw err2;
  }

  // throws(fn, [expected], [message]): a string second argument is the message.
  function splitExpected(expected, message) {
    if (typeof expected === 'string') return [undefined, expected];
    return [expected, message];
  }

  // ---- the API ----
  function ok(value, message) {
    if (arguments.length === 0) {
      innerFail({ actual: undefined, expected: true, operator: '==', message: 'No value argument passed to `assert.ok()`' });
    }
    if (!value) innerFail({ actual: value, expected: true, operator: '==', message: message === undefined ? 'The expression evaluated to a falsy value:\n\n  assert.ok(' + inspect(value) + ')\n' : message });
  }

  var assert = function assert(value, message) {
    if (arguments.length === 0) ok();
    ok(value, message);
  };
  assert.ok = ok;
  assert.AssertionError = AssertionError;

  assert.fail = function fail(message) {
    if (arguments.length >= 2) { // legacy fail(actual, expected, message, operator)
      innerFail({ actual: arguments[0], expected: arguments[1], message: arguments[2], operator: arguments[3] || '!=' });
    }
    innerFail({ message: message === undefined ? 'Failed' : message, operator: 'fail' });
  };

  assert.equal = function equal(actual, expected, message) {
    checkArity('equal', arguments, 2);
    if (!(actual == expected || (actual !== actual && expected !== expected))) innerFail({ actual: actual, expected: expected, operator: '==', message: message });
  };
  assert.notEqual = function notEqual(actual, expected, message) {
    checkArity('notEqual', arguments, 2);
    if (actual == expected || (actual !== actual && expected !== expected)) innerFail({ actual: actual, expected: expected, operator: '!=', message: message });
  };
  assert.strictEqual = function strictEqual(actual, expected, message) {
    checkArity('strictEqual', arguments, 2);
    if (!Object.is(actual, expected)) innerFail({ actual: actual, expected: expected, operator: 'strictEqual', message: message });
  };
  assert.notStrictEqual = function notStrictEqual(actual, expected, message) {
    checkArity('notStrictEqual', arguments, 2);
    if (Object.is(actual, expected)) innerFail({ actual: actual, expected: expected, operator: 'notStrictEqual', message: message });
  };
  assert.deepEqual = function deepEqual(actual, expected, message) {
    checkArity('deepEqual', arguments, 2);
    if (!isDeepEqual(actual, expected, false)) innerFail({ actual: actual, expected: expected, operator: 'deepEqual', message: message });
  };
  assert.notDeepEqual = function notDeepEqual(actual, expected, message) {
    checkArity('notDeepEqual', arguments, 2);
    if (isDeepEqual(actual, expected, false)) innerFail({ actual: actual, expected: expected, operator: 'notDeepEqual', message: message });
  };
  assert.deepStrictEqual = function deepStrictEqual(actual, expected, message) {
    checkArity('deepStrictEqual', arguments, 2);
    if (!isDeepEqual(actual, expected, true)) innerFail({ actual: actual, expected: expected, operator: 'deepStrictEqual', message: message });
  };
  assert.notDeepStrictEqual = function notDeepStrictEqual(actual, expected, message) {
    checkArity('notDeepStrictEqual', arguments, 2);
    if (isDeepEqual(actual, expected, true)) innerFail({ actual: actual, expected: expected, operator: 'notDeepStrictEqual', message: message });
  };

  assert.throws = function throws(fn, expected, message) {
    if (typeof fn !== 'function') throw new TypeError("assert.throws: argument 'fn' must be a function");
    var em = splitExpected(expected, message);
    var threw = false, err;
    try { fn(); } catch (e) { threw = true; err = e; }
    if (!threw) innerFail({ actual: undefined, expected: em[0], operator: 'throws', message: em[1] || 'Missing expected exception' + (em[0] && em[0].name ? ' (' + em[0].name + ').' : '.') });
    matchesExpected('throws', err, em[0], em[1]);
  };

  assert.doesNotThrow = function doesNotThrow(fn, expected, message) {
    if (typeof fn !== 'function') throw new TypeError("assert.doesNotThrow: argument 'fn' must be a function");
    var em = splitExpected(expected, message);
    try { fn(); } catch (e) {
      innerFail({ actual: e, expected: em[0], operator: 'doesNotThrow', message: 'Got unwanted exception' + (em[1] ? ': ' + em[1] : '.') + '\nActual message: "' + (e && e.message) + '"' });
    }
  };

  function toPromise(name, promiseOrFn) {
    var p = promiseOrFn;
    if (typeof promiseOrFn === 'function') {
      try { p = promiseOrFn(); } catch (e) { return Promise.reject(e); }
      if (!p || typeof p.then !== 'function') {
        return Promise.reject(new TypeError('assert.' + name + ': the function must return a promise'));
      }
    } else if (!p || typeof p.then !== 'function') {
      return Promise.reject(new TypeError("assert." + name + ": argument 'promiseFn' must be a promise or a function returning one"));
    }
    return Promise.resolve(p);
  }

  assert.rejects = function rejects(promiseOrFn, expected, message) {
    var em = splitExpected(expected, message);
    var marker = {};
    return toPromise('rejects', promiseOrFn).then(function () { return marker; }, function (e) { return { e: e }; })
      .then(function (r) {
        if (r === marker) innerFail({ actual: undefined, expected: em[0], operator: 'rejects', message: em[1] || 'Missing expected rejection' + (em[0] && em[0].name ? ' (' + em[0].name + ').' : '.') });
        matchesExpected('rejects', r.e, em[0], em[1]);
      });
  };

  assert.doesNotReject = function doesNotReject(promiseOrFn, expected, message) {
    var em = splitExpected(expected, message);
    return toPromise('doesNotReject', promiseOrFn).then(function () {}, function (e) {
      innerFail({ actual: e, expected: em[0], operator: 'doesNotReject', message: 'Got unwanted rejection' + (em[1] ? ': ' + em[1] : '.') + '\nActual message: "' + (e && e.message) + '"' });
    });
  };

  assert.match = function match(string, regexp, message) {
    if (!(regexp instanceof RegExp)) throw new TypeError("assert.match: argument 'regexp' must be a RegExp");
    if (typeof string !== 'string' || !regexp.test(string)) {
      innerFail({ actual: string, expected: regexp, operator: 'match', message: message !== undefined ? message :
        (typeof string !== 'string' ? 'The "string" argument must be of type string. Received ' + inspect(string)
          : 'The input did not match the regular expression ' + inspect(regexp) + '. Input:\n\n' + inspect(string) + '\n') });
    }
  };
  assert.doesNotMatch = function doesNotMatch(string, regexp, message) {
    if (!(regexp instanceof RegExp)) throw new TypeError("assert.doesNotMatch: argument 'regexp' must be a RegExp");
    if (typeof string !== 'string' || regexp.test(string)) {
      innerFail({ actual: string, expected: regexp, operator: 'doesNotMatch', message: message !== undefined ? message :
        'The input was expected to not match the regular expression ' + inspect(regexp) + '. Input:\n\n' + inspect(string) + '\n' });
    }
  };

  assert.ifError = function ifError(value) {
    if (value !== null && value !== undefined) {
      if (value instanceof Error) throw value;
      innerFail({ actual: value, expected: null, operator: 'ifError', message: 'ifError got unwanted exception: ' + inspect(value) });
    }
  };

  // assert.strict: the same API where the loose checks are the strict ones.
  var strict = function strict(value, message) {
    if (arguments.length === 0) ok();
    ok(value, message);
  };
  Object.keys(assert).forEach(function (k) { strict[k] = assert[k]; });
  strict.equal = assert.strictEqual;
  strict.notEqual = assert.notStrictEqual;
  strict.deepEqual = assert.deepStrictEqual;
  strict.notDeepEqual = assert.notDeepStrictEqual;
  strict.strict = strict;
  assert.strict = strict;
  return assert;
})();
