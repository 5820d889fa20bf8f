// com.appcelerator.urlSession: module object, SessionConfiguration, Session surface and every
// bad-input case. Transfers are in urlsession_transfer.test.js.
'use strict';
const assert = require('assert');
const URLSession = require('com.appcelerator.urlSession');

const base = process.env.TIRUN_FIXTURE_URL;
let seq = 0;
const uniqueId = (prefix) => `${prefix || 'api'}.${Date.now()}.${++seq}`;
const newSession = (extra) => URLSession.createSession({
	configuration: URLSession.createSessionConfiguration(Object.assign({ identifier: uniqueId() }, extra || {}))
});

// throwsType asserts fn throws a TypeError whose message names what and matches re.
function throwsType(fn, what, re) {
	try {
		fn();
	} catch (e) {
		assert.ok(e instanceof TypeError, `expected a TypeError, got ${e}`);
		assert.ok(e.message.indexOf(what) !== -1, `message ${JSON.stringify(e.message)} should name ${what}`);
		if (re) {
			assert.match(e.message, re);
		}
		return;
	}
	assert.fail(`expected ${what} to throw a TypeError`);
}

// Values of every type, for "anything but X" checks.
const samples = {
	undefined: undefined, null: null, number: 42, nan: NaN, bool: true, string: 'text', empty: '',
	object: { a: 1 }, array: [1, 2], fn: function () {}, symbol: Symbol('s')
};
const allBut = (...keep) => Object.keys(samples).filter(k => keep.indexOf(k) === -1).map(k => samples[k]);

(base ? describe : describe.skip)('Modules.URLSession module', function () {
	it('identifies itself', function () {
		assert.strictEqual(URLSession.moduleId, 'com.appcelerator.urlSession');
		assert.strictEqual(URLSession.apiName, 'Modules.URLSession');
		assert.strictEqual(typeof URLSession.moduleGUID, 'string');
		assert.strictEqual(require('com.appcelerator.urlSession'), URLSession, 'require returns one module object');
		assert.throws(() => { 'use strict'; URLSession.apiName = 'x'; }, TypeError);
	});

	it('has the proxy base and every documented method', function () {
		['addEventListener', 'removeEventListener', 'fireEvent', 'applyProperties',
			'createSessionConfiguration', 'createSession', 'createURLSessionBackgroundConfiguration',
			'createURLSession', 'backgroundDownloadTaskWithURL', 'finishTasksAndInvalidate',
			'invalidateAndCancel'].forEach(name => assert.strictEqual(typeof URLSession[name], 'function', name));
		assert.strictEqual(URLSession.bubbleParent, true);
	});

	it('exposes the constants with Apple numbering', function () {
		assert.strictEqual(URLSession.SESSION_CONFIGURATION_TYPE_DEFAULT, 0);
		assert.strictEqual(URLSession.SESSION_CONFIGURATION_TYPE_EPHEMERAL, 1);
		assert.strictEqual(URLSession.SESSION_CONFIGURATION_TYPE_BACKGROUND, 2);
		assert.strictEqual(URLSession.REQUEST_CACHE_POLICY_USE_PROTOCOL, 0);
		assert.strictEqual(URLSession.REQUEST_CACHE_POLICY_RELOAD_IGNORING_LOCAL_CACHE, 1);
		assert.strictEqual(URLSession.REQUEST_CACHE_POLICY_RETURN_CACHE_ELSE_LOAD, 2);
		assert.strictEqual(URLSession.REQUEST_CACHE_POLICY_RETURN_CACHE_DONT_LOAD, 3);
		assert.strictEqual(URLSession.HTTP_COOKIE_ACCEPT_POLICY_ALWAYS, 0);
		assert.strictEqual(URLSession.HTTP_COOKIE_ACCEPT_POLICY_NEVER, 1);
		assert.strictEqual(URLSession.HTTP_COOKIE_ACCEPT_POLICY_ONLY_FROM_MAIN_DOCUMENT_DOMAIN, 2);
		assert.strictEqual(URLSession.TLS_VERSION_1_2, 0x0303);
		assert.strictEqual(URLSession.TLS_VERSION_1_3, 0x0304);
		assert.throws(() => { 'use strict'; URLSession.TLS_VERSION_1_2 = 1; }, TypeError);
	});
});

(base ? describe : describe.skip)('Modules.URLSession.SessionConfiguration', function () {
	it('is a background configuration with Apple defaults when given an identifier', function () {
		const id = uniqueId('cfg');
		const cfg = URLSession.createSessionConfiguration({ identifier: id });
		assert.strictEqual(cfg.apiName, 'Modules.URLSession.SessionConfiguration');
		assert.strictEqual(cfg.identifier, id);
		assert.strictEqual(cfg.type, URLSession.SESSION_CONFIGURATION_TYPE_BACKGROUND);
		assert.deepStrictEqual(cfg.HTTPHeaderFields, {});
		assert.strictEqual(cfg.timeoutIntervalForRequest, 60);
		assert.strictEqual(cfg.timeoutIntervalForResource, 7 * 24 * 3600);
		assert.strictEqual(cfg.HTTPMaximumConnectionsPerHost, 6);
		assert.strictEqual(cfg.HTTPShouldSetCookies, true);
		assert.strictEqual(cfg.HTTPCookieAcceptPolicy, URLSession.HTTP_COOKIE_ACCEPT_POLICY_ONLY_FROM_MAIN_DOCUMENT_DOMAIN);
		assert.strictEqual(cfg.requestCachePolicy, URLSession.REQUEST_CACHE_POLICY_USE_PROTOCOL);
		assert.strictEqual(cfg.allowsCellularAccess, true);
		assert.strictEqual(cfg.waitsForConnectivity, false);
		assert.strictEqual(cfg.discretionary, false);
		assert.strictEqual(cfg.sessionSendsLaunchEvents, true);
		assert.strictEqual(cfg.TLSMinimumSupportedProtocolVersion, URLSession.TLS_VERSION_1_2);
	});

	it('makes default and ephemeral configurations, with or without an identifier', function () {
		const d = URLSession.createSessionConfiguration({ type: URLSession.SESSION_CONFIGURATION_TYPE_DEFAULT });
		assert.strictEqual(d.type, 0);
		assert.strictEqual(d.identifier, undefined);
		assert.strictEqual(d.sessionSendsLaunchEvents, false);
		const e = URLSession.createSessionConfiguration({ identifier: 'eph', type: URLSession.SESSION_CONFIGURATION_TYPE_EPHEMERAL });
		assert.strictEqual(e.type, 1);
		assert.strictEqual(e.identifier, 'eph');
	});

	it('keeps identifier and type creation-only', function () {
		const cfg = URLSession.createSessionConfiguration({ identifier: 'fixed' });
		assert.throws(() => { 'use strict'; cfg.identifier = 'other'; }, TypeError);
		assert.throws(() => cfg.applyProperties({ identifier: 'other' }), /creation/);
		assert.throws(() => cfg.applyProperties({ type: 0 }), /creation/);
		assert.strictEqual(cfg.identifier, 'fixed');
	});

	it('accepts every property at creation and by assignment, and reads them back', function () {
		const props = {
			HTTPHeaderFields: { 'X-One': '1', 'x-two': 'two' },
			timeoutIntervalForRequest: 2.5,
			timeoutIntervalForResource: 30,
			HTTPMaximumConnectionsPerHost: 64,
			HTTPShouldSetCookies: false,
			HTTPCookieAcceptPolicy: URLSession.HTTP_COOKIE_ACCEPT_POLICY_NEVER,
			requestCachePolicy: URLSession.REQUEST_CACHE_POLICY_RETURN_CACHE_ELSE_LOAD,
			allowsCellularAccess: false,
			waitsForConnectivity: true,
			discretionary: true,
			sessionSendsLaunchEvents: false,
			TLSMinimumSupportedProtocolVersion: URLSession.TLS_VERSION_1_3
		};
		const created = URLSession.createSessionConfiguration(Object.assign({ identifier: uniqueId('cfg') }, props));
		const assigned = URLSession.createSessionConfiguration({ identifier: uniqueId('cfg') });
		Object.keys(props).forEach(k => { assigned[k] = props[k]; });
		const applied = URLSession.createSessionConfiguration({ identifier: uniqueId('cfg') });
		applied.applyProperties(props);
		[created, assigned, applied].forEach(cfg => {
			Object.keys(props).forEach(k => assert.deepStrictEqual(cfg[k], props[k], k));
		});
	});

	it('sets headers with setHTTPHeaderFields and returns a fresh object on every read', function () {
		const cfg = URLSession.createSessionConfiguration({ identifier: uniqueId('cfg') });
		assert.strictEqual(cfg.setHTTPHeaderFields({ A: 'b' }), undefined);
		const h = cfg.HTTPHeaderFields;
		h.A = 'changed';
		assert.deepStrictEqual(cfg.HTTPHeaderFields, { A: 'b' });
	});

	it('rejects a missing or malformed creation dictionary', function () {
		allBut('object').forEach(v => throwsType(() => URLSession.createSessionConfiguration(v), 'createSessionConfiguration', /'options'/));
		throwsType(() => URLSession.createSessionConfiguration({}), 'createSessionConfiguration', /'identifier'/);
		allBut('undefined', 'null', 'string').concat(['']).forEach(v =>
			throwsType(() => URLSession.createSessionConfiguration({ identifier: v }), 'createSessionConfiguration', /'identifier'/));
		[-1, 3, 1.5, '0', true, {}].forEach(v =>
			throwsType(() => URLSession.createSessionConfiguration({ identifier: 'x', type: v }), 'createSessionConfiguration', /'type'/));
		throwsType(() => URLSession.createSessionConfiguration({ identifier: 'x', timeoutIntervalForRequest: '5' }), 'timeoutIntervalForRequest');
	});

	it('validates every property by type, naming it', function () {
		const cfg = URLSession.createSessionConfiguration({ identifier: uniqueId('cfg') });
		const bad = {
			HTTPHeaderFields: allBut('object', 'undefined').concat([undefined, { a: 1 }, { a: null }, { 'bad name': 'v' }, { a: 'line\nbreak' }]),
			timeoutIntervalForRequest: [0, -1, NaN, Infinity, '5', null, true, 2e9],
			timeoutIntervalForResource: [0, -3, '5', {}, undefined],
			HTTPMaximumConnectionsPerHost: [0, -1, 1.5, '6', 70000, null],
			HTTPShouldSetCookies: [1, 'true', null, undefined, {}],
			HTTPCookieAcceptPolicy: [3, -1, '0', null],
			requestCachePolicy: [4, -1, 0.5, 'x'],
			allowsCellularAccess: [0, 'yes'],
			waitsForConnectivity: [1, null],
			discretionary: ['false'],
			sessionSendsLaunchEvents: [{}],
			TLSMinimumSupportedProtocolVersion: [0x0300, 0x0305, 12, '0x0303']
		};
		Object.keys(bad).forEach(k => bad[k].forEach(v => throwsType(() => { cfg[k] = v; }, `SessionConfiguration.${k}`)));
		allBut('object').forEach(v => throwsType(() => cfg.setHTTPHeaderFields(v), 'SessionConfiguration.setHTTPHeaderFields'));
		assert.deepStrictEqual(cfg.HTTPHeaderFields, {}, 'failed assignments change nothing');
	});
});

(base ? describe : describe.skip)('Modules.URLSession.Session', function () {
	it('has the whole proxy base and every method', function () {
		const s = newSession();
		assert.strictEqual(s.apiName, 'Modules.URLSession.Session');
		assert.strictEqual(String(s), '[object Modules.URLSession.Session]');
		assert.strictEqual(s.bubbleParent, true);
		['addEventListener', 'removeEventListener', 'fireEvent', 'applyProperties', 'dataTask', 'downloadTask',
			'uploadTask', 'finishTasksAndInvalidate', 'invalidateAndCancel', 'reset', 'flush']
			.forEach(name => assert.strictEqual(typeof s[name], 'function', name));
		s.invalidateAndCancel();
	});

	it('keeps a copy of the configuration, readable and creation-only', function () {
		const cfg = URLSession.createSessionConfiguration({ identifier: uniqueId(), HTTPHeaderFields: { A: '1' } });
		const s = URLSession.createSession({ configuration: cfg });
		cfg.HTTPHeaderFields = { B: '2' };
		cfg.timeoutIntervalForRequest = 1;
		const copy = s.configuration;
		assert.strictEqual(copy.apiName, 'Modules.URLSession.SessionConfiguration');
		assert.notStrictEqual(copy, cfg);
		assert.strictEqual(copy.identifier, cfg.identifier);
		assert.deepStrictEqual(copy.HTTPHeaderFields, { A: '1' });
		assert.strictEqual(copy.timeoutIntervalForRequest, 60);
		copy.HTTPHeaderFields = { C: '3' };
		assert.deepStrictEqual(s.configuration.HTTPHeaderFields, { C: '3' }, 'the same copy object is returned');
		assert.throws(() => { 'use strict'; s.configuration = cfg; }, TypeError);
		assert.throws(() => s.applyProperties({ configuration: cfg }), /creation/);
		s.invalidateAndCancel();
	});

	it('returns the live session for a reused identifier, and a new one after invalidation', function () {
		const id = uniqueId();
		const a = URLSession.createSession({ configuration: URLSession.createSessionConfiguration({ identifier: id }) });
		const b = URLSession.createSession({ configuration: URLSession.createSessionConfiguration({ identifier: id }) });
		assert.strictEqual(a, b);
		a.finishTasksAndInvalidate();
		const c = URLSession.createSession({ configuration: URLSession.createSessionConfiguration({ identifier: id }) });
		assert.notStrictEqual(c, a);
		c.invalidateAndCancel();
		const d1 = URLSession.createSession({ configuration: URLSession.createSessionConfiguration({ type: 0 }) });
		const d2 = URLSession.createSession({ configuration: URLSession.createSessionConfiguration({ type: 0 }) });
		assert.notStrictEqual(d1, d2, 'sessions without an identifier are never shared');
		d1.invalidateAndCancel();
		d2.invalidateAndCancel();
	});

	it('rejects createSession without a SessionConfiguration', function () {
		allBut('object').forEach(v => throwsType(() => URLSession.createSession(v), 'createSession'));
		[undefined, null, {}, 'cfg', 1].forEach(v =>
			throwsType(() => URLSession.createSession({ configuration: v }), 'createSession', /'configuration'/));
		const fake = Object.create(URLSession.createSessionConfiguration({ identifier: 'x' }));
		throwsType(() => URLSession.createSession({ configuration: fake }), 'createSession', /'configuration'/);
		throwsType(() => URLSession.createSession({ configuration: newSession() }), 'createSession');
	});

	it('returns task identifiers as increasing Numbers', function () {
		const s = newSession();
		const a = s.dataTask({ url: base + '/json' });
		const b = s.downloadTask({ url: base + '/bytes/10' });
		const c = s.uploadTask({ url: base + '/upload', data: Ti.Filesystem.getFile(Ti.Filesystem.tempDirectory, 'none').nativePath });
		assert.strictEqual(typeof a, 'number');
		assert.ok(a >= 1 && b === a + 1 && c === b + 1, `${a} ${b} ${c}`);
		s.invalidateAndCancel();
	});

	it('rejects bad task arguments with TypeErrors naming the method and the argument', function () {
		const s = newSession();
		['dataTask', 'downloadTask', 'uploadTask'].forEach(m => {
			const fn = `Session.${m}`;
			allBut('object').forEach(v => throwsType(() => s[m](v), fn, /'args'/));
			throwsType(() => s[m]({}), fn, /'url' must be a non-empty string/);
			allBut('string').concat(['']).forEach(v => throwsType(() => s[m]({ url: v, data: 'x' }), fn, /'url'/));
			[42, '', 'GE T', 'GET\r\n', {}, true].forEach(v => throwsType(() => s[m]({ url: base, method: v, data: 'x' }), fn, /'method'/));
			['headers', 42, [], { a: 1 }, { a: null }, { 'a b': 'c' }, { a: 'x\r\ny' }].forEach(v =>
				throwsType(() => s[m]({ url: base, requestHeaders: v, data: 'x' }), fn, /'requestHeaders'/));
		});
		allBut('string', 'empty', 'object', 'array').forEach(v => {
			if (v === undefined || v === null) {
				return; // no data: a GET
			}
			throwsType(() => s.dataTask({ url: base, data: v }), 'Session.dataTask', /'data'/);
		});
		const cyclic = {};
		cyclic.self = cyclic;
		throwsType(() => s.dataTask({ url: base, data: cyclic }), 'Session.dataTask', /'data'/);
		throwsType(() => s.dataTask({ url: base, data: { toJSON: () => undefined } }), 'Session.dataTask', /'data'/);
		allBut('string', 'object').concat([{}, [], '']).forEach(v => throwsType(() => s.uploadTask({ url: base, data: v }), 'Session.uploadTask', /'data'/));
		['reset', 'flush'].forEach(m => allBut('fn').forEach(v => throwsType(() => s[m](v), `Session.${m}`, /'callback'/)));
		s.invalidateAndCancel();
	});

	it('throws an Error for a task on an invalidated session', function () {
		['finishTasksAndInvalidate', 'invalidateAndCancel'].forEach(how => {
			const s = newSession();
			s[how]();
			['dataTask', 'downloadTask', 'uploadTask'].forEach(m => {
				assert.throws(() => s[m]({ url: base + '/json', data: 'x' }), e => {
					assert.ok(!(e instanceof TypeError) && e instanceof Error, String(e));
					assert.match(e.message, new RegExp(`Session\\.${m}: .*invalidated`));
					return true;
				});
			});
			s[how](); // a second invalidation is harmless
		});
	});

	it('rejects methods called on something that is not a session', function () {
		const s = newSession();
		assert.throws(() => s.addEventListener.call({}, 'x', () => {}), TypeError);
		s.invalidateAndCancel();
	});
});

(base ? describe : describe.skip)('Modules.URLSession deprecated calls', function () {
	it('createURLSessionBackgroundConfiguration makes a background configuration', function () {
		const cfg = URLSession.createURLSessionBackgroundConfiguration('legacy.cfg');
		assert.strictEqual(cfg.identifier, 'legacy.cfg');
		assert.strictEqual(cfg.type, URLSession.SESSION_CONFIGURATION_TYPE_BACKGROUND);
		allBut('string').concat(['']).forEach(v =>
			throwsType(() => URLSession.createURLSessionBackgroundConfiguration(v), 'createURLSessionBackgroundConfiguration', /'identifier'/));
	});

	it('createURLSession and the bare-configuration createSession still make sessions', function () {
		const s1 = URLSession.createURLSession({ configuration: URLSession.createSessionConfiguration({ identifier: uniqueId() }) });
		assert.strictEqual(s1.apiName, 'Modules.URLSession.Session');
		const s2 = URLSession.createSession(URLSession.createSessionConfiguration({ identifier: uniqueId() }));
		assert.strictEqual(s2.apiName, 'Modules.URLSession.Session');
		const s3 = URLSession.createURLSession(URLSession.createSessionConfiguration({ identifier: uniqueId() }));
		assert.strictEqual(s3.apiName, 'Modules.URLSession.Session');
		throwsType(() => URLSession.createURLSession(42), 'createURLSession');
		[s1, s2, s3].forEach(s => s.invalidateAndCancel());
	});

	it('backgroundDownloadTaskWithURL downloads through the session', function () {
		this.timeout(20000);
		const s = newSession();
		throwsType(() => URLSession.backgroundDownloadTaskWithURL(), 'backgroundDownloadTaskWithURL', /'session'/);
		throwsType(() => URLSession.backgroundDownloadTaskWithURL({}, base), 'backgroundDownloadTaskWithURL', /'session'/);
		allBut('string').concat(['']).forEach(v =>
			throwsType(() => URLSession.backgroundDownloadTaskWithURL(s, v), 'backgroundDownloadTaskWithURL', /'url'/));
		return new Promise((resolve, reject) => {
			const id = URLSession.backgroundDownloadTaskWithURL(s, base + '/bytes/1000');
			assert.strictEqual(typeof id, 'number');
			s.addEventListener('downloadcompleted', e => {
				try {
					assert.strictEqual(e.taskIdentifier, id);
					assert.strictEqual(e.data.length, 1000);
				} catch (err) {
					reject(err);
				}
			});
			s.addEventListener('sessioncompleted', e => {
				try {
					assert.strictEqual(e.taskIdentifier, id);
					assert.strictEqual(e.success, true);
					resolve();
				} catch (err) {
					reject(err);
				}
			});
		}).then(() => URLSession.finishTasksAndInvalidate(s));
	});

	it('module-level finishTasksAndInvalidate and invalidateAndCancel invalidate the session', function () {
		['finishTasksAndInvalidate', 'invalidateAndCancel'].forEach(m => {
			const s = newSession();
			allBut().concat([{}]).forEach(v => throwsType(() => URLSession[m](v), m, /'session'/));
			assert.strictEqual(URLSession[m](s), undefined);
			assert.throws(() => s.dataTask({ url: base + '/json' }), /invalidated/);
		});
	});
});
