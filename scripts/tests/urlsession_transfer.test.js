// com.appcelerator.urlSession against the loopback fixture: every task kind, payload keys
// present and absent, event order, bubbling, invalidation, reset and flush.
'use strict';
const assert = require('assert');
const URLSession = require('com.appcelerator.urlSession');

const base = process.env.TIRUN_FIXTURE_URL;
const EVENTS = ['downloadprogress', 'uploadprogress', 'downloadcompleted', 'sessioncompleted'];
const BASE_KEYS = ['type', 'source', 'bubbles', 'cancelBubble'];
let seq = 0;

function newSession(extra) {
	const cfg = URLSession.createSessionConfiguration(Object.assign({ identifier: `transfer.${Date.now()}.${++seq}` }, extra || {}));
	return URLSession.createSession({ configuration: cfg });
}

// payloadKeys lists an event's own keys without the ones every Titanium event has, sorted.
const payloadKeys = e => Object.keys(e).filter(k => BASE_KEYS.indexOf(k) === -1).sort();

// record listens on target for the task events and resolves with copies of them, in arrival
// order, once `count` sessioncompleted events arrived. Listeners are removed at the end.
function record(target, count) {
	return new Promise(resolve => {
		const events = [];
		let completed = 0;
		const handlers = {};
		EVENTS.forEach(name => {
			handlers[name] = e => {
				const copy = {};
				Object.keys(e).forEach(k => { copy[k] = e[k]; });
				events.push(copy);
				if (name === 'sessioncompleted' && ++completed === count) {
					EVENTS.forEach(n => target.removeEventListener(n, handlers[n]));
					resolve(events);
				}
			};
			target.addEventListener(name, handlers[name]);
		});
	});
}

const ofTask = (events, id) => events.filter(e => e.taskIdentifier === id);
const only = (events, type) => events.filter(e => e.type === type);
const writeTemp = (name, text) => {
	const f = Ti.Filesystem.getFile(Ti.Filesystem.tempDirectory, name);
	assert.strictEqual(f.write(text), true);
	return f;
};

(base ? describe : describe.skip)('Modules.URLSession transfers', function () {
	this.timeout(30000);

	it('downloadTask: progress, then a file-backed Blob, then sessioncompleted', function () {
		const s = newSession();
		const size = 3 * 1024 * 1024 + 17;
		const done = record(s, 1);
		const id = s.downloadTask({ url: `${base}/bytes/${size}` });
		return done.then(events => {
			assert.ok(events.every(e => e.taskIdentifier === id && e.source === s));
			const types = events.map(e => e.type);
			const firstDone = types.indexOf('downloadcompleted');
			assert.ok(firstDone > 0, `progress comes first: ${types}`);
			assert.deepStrictEqual(types.slice(firstDone), ['downloadcompleted', 'sessioncompleted']);
			const progress = only(events, 'downloadprogress');
			progress.forEach(e => {
				assert.deepStrictEqual(payloadKeys(e), ['bytesWritten', 'sessionIdentifier', 'taskIdentifier', 'totalBytesExpectedToWrite', 'totalBytesWritten']);
				assert.strictEqual(e.totalBytesExpectedToWrite, size);
				assert.strictEqual(e.sessionIdentifier, s.configuration.identifier);
				assert.strictEqual(e.bubbles, true);
				assert.strictEqual(e.cancelBubble, false);
			});
			const sum = progress.reduce((n, e) => n + e.bytesWritten, 0);
			assert.strictEqual(sum, size, 'bytesWritten adds up');
			assert.strictEqual(progress[progress.length - 1].totalBytesWritten, size);
			for (let i = 1; i < progress.length; i++) {
				assert.ok(progress[i].totalBytesWritten > progress[i - 1].totalBytesWritten);
			}
			const dc = only(events, 'downloadcompleted')[0];
			assert.deepStrictEqual(payloadKeys(dc), ['data', 'sessionIdentifier', 'taskIdentifier']);
			assert.strictEqual(dc.data.apiName, 'Ti.Blob');
			assert.strictEqual(dc.data.length, size);
			assert.match(dc.data.nativePath, /^file:\/\//);
			assert.strictEqual(dc.data.file.size, size);
			// nativePath is a file:// URL, percent-encoded (a temp dir may contain spaces).
			assert.ok(decodeURIComponent(dc.data.nativePath).indexOf(Ti.Filesystem.tempDirectory.replace(/\/$/, '')) !== -1, 'kept in the temp directory');
			const sc = only(events, 'sessioncompleted')[0];
			assert.deepStrictEqual(payloadKeys(sc), ['errorCode', 'sessionIdentifier', 'statusCode', 'success', 'taskIdentifier']);
			assert.strictEqual(sc.success, true);
			assert.strictEqual(sc.errorCode, 0);
			assert.strictEqual(sc.statusCode, 200);
			s.finishTasksAndInvalidate();
		});
	});

	it('a downloaded Blob can be written to a File (the module example flow)', function () {
		const s = newSession();
		const done = new Promise(resolve => s.addEventListener('downloadcompleted', e => {
			const dest = Ti.Filesystem.getFile(Ti.Filesystem.applicationDataDirectory, 'kept.bin');
			assert.strictEqual(dest.write(e.data), true);
			resolve(dest);
		}));
		s.downloadTask({ url: `${base}/bytes/4096` });
		return done.then(dest => {
			assert.strictEqual(dest.size, 4096);
			s.finishTasksAndInvalidate();
		});
	});

	it('reports an unknown length as 0', function () {
		const s = newSession();
		const done = record(s, 1);
		s.downloadTask({ url: `${base}/chunked/200000` });
		return done.then(events => {
			const progress = only(events, 'downloadprogress');
			assert.ok(progress.length > 0);
			progress.forEach(e => assert.strictEqual(e.totalBytesExpectedToWrite, 0));
			assert.strictEqual(progress[progress.length - 1].totalBytesWritten, 200000);
			assert.strictEqual(only(events, 'downloadcompleted')[0].data.length, 200000);
			s.finishTasksAndInvalidate();
		});
	});

	it('HTTP errors complete with success true and their status; the body is still downloaded', function () {
		const s = newSession();
		const done = record(s, 2);
		const dl = s.downloadTask({ url: `${base}/status/404?body=missing` });
		const data = s.dataTask({ url: `${base}/status/500?body=broken` });
		return done.then(events => {
			const dc = only(ofTask(events, dl), 'downloadcompleted')[0];
			assert.strictEqual(dc.data.text, 'missing');
			const sc = only(ofTask(events, dl), 'sessioncompleted')[0];
			assert.strictEqual(sc.success, true);
			assert.strictEqual(sc.statusCode, 404);
			assert.ok(!('responseText' in sc), 'a download never has responseText');
			const dsc = only(ofTask(events, data), 'sessioncompleted')[0];
			assert.strictEqual(dsc.success, true);
			assert.strictEqual(dsc.errorCode, 0);
			assert.strictEqual(dsc.statusCode, 500);
			assert.strictEqual(dsc.responseText, 'broken');
			s.finishTasksAndInvalidate();
		});
	});

	it('dataTask: GET without data or method, responseText only when a body arrived', function () {
		const s = newSession();
		const done = record(s, 3);
		const json = s.dataTask({ url: `${base}/json` });
		const echo = s.dataTask({ url: `${base}/echo` });
		const empty = s.dataTask({ url: `${base}/status/204` });
		return done.then(events => {
			assert.deepStrictEqual(events.map(e => e.type), ['sessioncompleted', 'sessioncompleted', 'sessioncompleted']);
			const sc = id => only(ofTask(events, id), 'sessioncompleted')[0];
			assert.deepStrictEqual(payloadKeys(sc(json)), ['errorCode', 'responseText', 'sessionIdentifier', 'statusCode', 'success', 'taskIdentifier']);
			assert.strictEqual(typeof JSON.parse(sc(json).responseText), 'object');
			assert.strictEqual(JSON.parse(sc(echo).responseText).method, 'GET');
			assert.strictEqual(sc(empty).statusCode, 204);
			assert.deepStrictEqual(payloadKeys(sc(empty)), ['errorCode', 'sessionIdentifier', 'statusCode', 'success', 'taskIdentifier']);
			s.finishTasksAndInvalidate();
		});
	});

	it('dataTask bodies: JSON objects and arrays, strings, Blobs; method and headers honoured', function () {
		const s = newSession({ HTTPHeaderFields: { 'X-From-Config': 'cfg', 'X-Overridden': 'cfg' } });
		const blob = writeTemp('body.txt', 'from a blob').read();
		const done = record(s, 5);
		const ids = {
			object: s.dataTask({ url: `${base}/echo`, data: { a: 1, b: [true, null] } }),
			array: s.dataTask({ url: `${base}/echo`, data: [1, 'two'], requestHeaders: { 'content-type': 'application/vnd.test+json' } }),
			text: s.dataTask({ url: `${base}/echo`, data: 'plain text', method: 'PUT' }),
			blob: s.dataTask({ url: `${base}/echo`, data: blob }),
			headers: s.dataTask({ url: `${base}/echo`, method: 'DELETE', requestHeaders: { 'X-Exact-CASE': 'v', 'X-Overridden': 'request' } })
		};
		return done.then(events => {
			const echo = id => JSON.parse(only(ofTask(events, id), 'sessioncompleted')[0].responseText);
			const header = (e, name) => (e.headers.filter(h => h.name.toLowerCase() === name.toLowerCase())[0] || {}).value;
			let e = echo(ids.object);
			assert.strictEqual(e.method, 'POST');
			assert.strictEqual(e.bodyLength, '{"a":1,"b":[true,null]}'.length);
			assert.strictEqual(header(e, 'Content-Type'), 'application/json');
			e = echo(ids.array);
			assert.strictEqual(e.bodyLength, '[1,"two"]'.length);
			assert.strictEqual(header(e, 'Content-Type'), 'application/vnd.test+json', 'a given Content-Type wins');
			e = echo(ids.text);
			assert.strictEqual(e.method, 'PUT');
			assert.strictEqual(e.bodyLength, 'plain text'.length);
			e = echo(ids.blob);
			assert.strictEqual(e.method, 'POST');
			assert.strictEqual(e.bodyLength, 'from a blob'.length);
			e = echo(ids.headers);
			assert.strictEqual(e.method, 'DELETE');
			assert.ok(e.headers.some(h => h.name === 'X-Exact-CASE' && h.value === 'v'), 'header name case kept on the wire');
			assert.strictEqual(header(e, 'X-From-Config'), 'cfg');
			assert.strictEqual(header(e, 'X-Overridden'), 'request', 'request headers override the configuration');
			s.finishTasksAndInvalidate();
		});
	});

	it('headers assigned to the configuration before createSession are sent', function () {
		const cfg = URLSession.createSessionConfiguration({ identifier: `transfer.late.${++seq}` });
		cfg.HTTPHeaderFields = { 'X-Late': 'yes' };
		const s = URLSession.createSession({ configuration: cfg });
		cfg.HTTPHeaderFields = { 'X-Too-Late': 'no' };
		const done = record(s, 1);
		s.dataTask({ url: `${base}/echo` });
		return done.then(events => {
			const e = JSON.parse(events[0].responseText);
			assert.strictEqual(e.headerMap['X-Late'], 'yes');
			assert.strictEqual(e.headerMap['X-Too-Late'], undefined);
			s.finishTasksAndInvalidate();
		});
	});

	it('uploadTask streams a Blob, a File and a path; progress then sessioncompleted with the response', function () {
		const s = newSession();
		const text = 'x'.repeat(300000);
		const file = writeTemp('upload.txt', text);
		const done = record(s, 4);
		const ids = [
			s.uploadTask({ url: `${base}/upload`, data: file.read() }),
			s.uploadTask({ url: `${base}/upload`, data: file }),
			s.uploadTask({ url: `${base}/upload`, data: file.nativePath }),
			s.uploadTask({ url: `${base}/echo`, data: file.resolve(), method: 'PUT', requestHeaders: { 'X-Up': '1' } })
		];
		return done.then(events => {
			ids.forEach((id, i) => {
				const mine = ofTask(events, id);
				const types = mine.map(e => e.type);
				assert.strictEqual(types[types.length - 1], 'sessioncompleted');
				assert.ok(types.slice(0, -1).every(t => t === 'uploadprogress') && types.length > 1, String(types));
				const progress = only(mine, 'uploadprogress');
				progress.forEach(e => {
					assert.deepStrictEqual(payloadKeys(e), ['bytesSent', 'sessionIdentifier', 'taskIdentifier', 'totalBytesExpectedToSend', 'totalBytesSent']);
					assert.strictEqual(e.totalBytesExpectedToSend, text.length);
				});
				assert.strictEqual(progress.reduce((n, e) => n + e.bytesSent, 0), text.length);
				assert.strictEqual(progress[progress.length - 1].totalBytesSent, text.length);
				const sc = only(mine, 'sessioncompleted')[0];
				assert.strictEqual(sc.success, true);
				assert.strictEqual(sc.statusCode, 200);
				const body = JSON.parse(sc.responseText);
				if (i < 3) {
					assert.strictEqual(body.bytes, text.length);
				} else {
					assert.strictEqual(body.method, 'PUT');
					assert.strictEqual(body.headerMap['X-Up'], '1');
				}
			});
			s.finishTasksAndInvalidate();
		});
	});

	it('problems found by the engine arrive as a failed sessioncompleted with the NSURLError code', function () {
		const s = newSession();
		const done = record(s, 5);
		const ids = {
			badURL: s.dataTask({ url: 'http://' }),
			noScheme: s.downloadTask({ url: 'just words' }),
			scheme: s.dataTask({ url: 'ftp://127.0.0.1/file' }),
			missing: s.uploadTask({ url: `${base}/upload`, data: Ti.Filesystem.getFile(Ti.Filesystem.tempDirectory, 'does-not-exist.bin') }),
			refused: s.downloadTask({ url: 'http://127.0.0.1:1/' })
		};
		Object.keys(ids).forEach(k => assert.strictEqual(typeof ids[k], 'number', k));
		return done.then(events => {
			assert.deepStrictEqual(events.map(e => e.type), ['sessioncompleted', 'sessioncompleted', 'sessioncompleted', 'sessioncompleted', 'sessioncompleted']);
			const code = id => only(ofTask(events, id), 'sessioncompleted')[0];
			const want = { badURL: -1000, noScheme: -1000, scheme: -1002, missing: -1100, refused: -1004 };
			Object.keys(want).forEach(k => {
				const e = code(ids[k]);
				assert.deepStrictEqual(payloadKeys(e), ['errorCode', 'message', 'sessionIdentifier', 'success', 'taskIdentifier'], k);
				assert.strictEqual(e.success, false, k);
				assert.strictEqual(e.errorCode, want[k], k);
				assert.strictEqual(typeof e.message, 'string');
				assert.ok(e.message.length > 0);
			});
			s.finishTasksAndInvalidate();
		});
	});

	it('the configuration reaches the engine: request timeout and cookie policy', function () {
		const s = newSession({
			type: URLSession.SESSION_CONFIGURATION_TYPE_EPHEMERAL,
			timeoutIntervalForRequest: 0.3,
			HTTPCookieAcceptPolicy: URLSession.HTTP_COOKIE_ACCEPT_POLICY_NEVER
		});
		const done = record(s, 2);
		const slow = s.dataTask({ url: `${base}/delay/5000` });
		const cookie = s.dataTask({ url: `${base}/cookies/set?refused=1` });
		return done.then(events => {
			const sc = id => only(ofTask(events, id), 'sessioncompleted')[0];
			assert.strictEqual(sc(slow).success, false);
			assert.strictEqual(sc(slow).errorCode, -1001, 'timed out');
			assert.strictEqual(sc(cookie).success, true);
			const after = record(s, 1);
			s.dataTask({ url: `${base}/cookies` });
			return after;
		}).then(events => {
			assert.strictEqual(JSON.parse(events[0].responseText).refused, undefined, 'the cookie was not stored');
			s.finishTasksAndInvalidate();
		});
	});

	it('a configuration without an identifier sends no sessionIdentifier', function () {
		const s = URLSession.createSession({ configuration: URLSession.createSessionConfiguration({ type: URLSession.SESSION_CONFIGURATION_TYPE_EPHEMERAL }) });
		const done = record(s, 1);
		s.downloadTask({ url: `${base}/bytes/100` });
		return done.then(events => {
			events.forEach(e => assert.ok(!('sessionIdentifier' in e), e.type));
			assert.deepStrictEqual(payloadKeys(only(events, 'sessioncompleted')[0]), ['errorCode', 'statusCode', 'success', 'taskIdentifier']);
			s.finishTasksAndInvalidate();
		});
	});

	it('a slow listener gets coalesced progress that still adds up', function () {
		const s = newSession();
		const size = 32 * 1024 * 1024;
		let calls = 0;
		let sum = 0;
		let last = 0;
		s.addEventListener('downloadprogress', e => {
			calls++;
			sum += e.bytesWritten;
			last = e.totalBytesWritten;
			const until = Date.now() + 30;
			while (Date.now() < until) { /* a listener slower than the network */ }
		});
		const done = new Promise(resolve => s.addEventListener('sessioncompleted', resolve));
		s.downloadTask({ url: `${base}/bytes/${size}` });
		return done.then(e => {
			assert.strictEqual(e.success, true);
			assert.strictEqual(sum, size);
			assert.strictEqual(last, size);
			assert.ok(calls >= 1 && calls < 2000, `calls ${calls}`);
			s.finishTasksAndInvalidate();
		});
	});
});

(base ? describe : describe.skip)('Modules.URLSession event dispatch', function () {
	this.timeout(30000);

	afterEach(function () {
		URLSession.bubbleParent = true;
	});

	it('fires on the Session, then the module, then Ti.App.iOS, with source = the Session', function () {
		const s = newSession();
		const seen = [];
		const onSession = e => seen.push(['session', e]);
		const onModule = e => seen.push(['module', e]);
		const onApp = e => seen.push(['app', e]);
		s.addEventListener('sessioncompleted', onSession);
		URLSession.addEventListener('sessioncompleted', onModule);
		Ti.App.iOS.addEventListener('sessioncompleted', onApp);
		const done = record(Ti.App.iOS, 1);
		const id = s.dataTask({ url: `${base}/json` });
		return done.then(() => {
			URLSession.removeEventListener('sessioncompleted', onModule);
			Ti.App.iOS.removeEventListener('sessioncompleted', onApp);
			assert.deepStrictEqual(seen.map(x => x[0]), ['session', 'module', 'app']);
			assert.ok(seen.every(x => x[1] === seen[0][1]), 'one event object travels');
			assert.strictEqual(seen[0][1].source, s);
			assert.strictEqual(seen[0][1].taskIdentifier, id);
			s.finishTasksAndInvalidate();
		});
	});

	it('a listener setting cancelBubble stops the event there', function () {
		const s = newSession();
		let reached = 0;
		const onApp = () => reached++;
		s.addEventListener('sessioncompleted', e => { e.cancelBubble = true; });
		Ti.App.iOS.addEventListener('sessioncompleted', onApp);
		const done = new Promise(resolve => s.addEventListener('sessioncompleted', resolve));
		s.dataTask({ url: `${base}/json` });
		return done.then(() => new Promise(r => setTimeout(r, 50))).then(() => {
			Ti.App.iOS.removeEventListener('sessioncompleted', onApp);
			assert.strictEqual(reached, 0);
			s.finishTasksAndInvalidate();
		});
	});

	it('bubbleParent false on the Session or the module keeps events from going further', function () {
		// Promise jobs run after each listener returns (as in browsers), so each step waits
		// for a timer before looking at what the next hop received.
		const tick = () => new Promise(r => setTimeout(r, 50));
		const s1 = newSession();
		const s2 = newSession();
		s1.bubbleParent = false;
		const atModule = [];
		const atApp = [];
		const onModule = e => atModule.push(e.source);
		const onApp = e => atApp.push(e.source);
		URLSession.addEventListener('sessioncompleted', onModule);
		Ti.App.iOS.addEventListener('sessioncompleted', onApp);
		const first = new Promise(resolve => s1.addEventListener('sessioncompleted', resolve));
		s1.dataTask({ url: `${base}/json` });
		return first.then(tick).then(() => {
			assert.strictEqual(atModule.length, 0, 'the session did not bubble');
			assert.strictEqual(atApp.length, 0);
			URLSession.bubbleParent = false;
			const second = new Promise(resolve => s2.addEventListener('sessioncompleted', resolve));
			s2.dataTask({ url: `${base}/json` });
			return second;
		}).then(tick).then(() => {
			URLSession.removeEventListener('sessioncompleted', onModule);
			Ti.App.iOS.removeEventListener('sessioncompleted', onApp);
			assert.deepStrictEqual(atModule, [s2]);
			assert.strictEqual(atApp.length, 0, 'the module did not bubble');
			s1.finishTasksAndInvalidate();
			s2.finishTasksAndInvalidate();
		});
	});

	it('an event nobody listens to is dropped; listeners added later get only later events', function () {
		const s = newSession();
		s.dataTask({ url: `${base}/json` });
		return new Promise(r => setTimeout(r, 200)).then(() => {
			const done = record(s, 1);
			s.dataTask({ url: `${base}/json` });
			return done;
		}).then(events => {
			assert.strictEqual(events.length, 1);
			s.finishTasksAndInvalidate();
		});
	});
});

(base ? describe : describe.skip)('Modules.URLSession invalidation, reset and flush', function () {
	this.timeout(30000);

	it('invalidateAndCancel completes every running task exactly once with -999', function () {
		const s = newSession({ HTTPMaximumConnectionsPerHost: 4 });
		const ids = [];
		for (let i = 0; i < 6; i++) {
			ids.push(s.downloadTask({ url: `${base}/slow/1000000?rate=20000` }));
			ids.push(s.dataTask({ url: `${base}/delay/20000` }));
		}
		const done = record(s, ids.length);
		return new Promise(r => setTimeout(r, 200)).then(() => {
			s.invalidateAndCancel();
			return done;
		}).then(events => {
			const completed = only(events, 'sessioncompleted');
			assert.deepStrictEqual(completed.map(e => e.taskIdentifier).sort((a, b) => a - b), ids.slice().sort((a, b) => a - b));
			completed.forEach(e => {
				assert.strictEqual(e.success, false);
				assert.strictEqual(e.errorCode, -999);
				assert.strictEqual(typeof e.message, 'string');
			});
			assert.strictEqual(only(events, 'downloadcompleted').length, 0);
			return new Promise(r => setTimeout(r, 100));
		}).then(() => {
			assert.throws(() => s.downloadTask({ url: `${base}/bytes/1` }), /invalidated/);
		});
	});

	it('finishTasksAndInvalidate lets running tasks finish, then drops the listeners', function () {
		const s = newSession();
		const done = record(s, 2);
		let late = 0;
		s.addEventListener('probe', () => late++);
		s.downloadTask({ url: `${base}/bytes/200000` });
		s.dataTask({ url: `${base}/delay/100` });
		s.finishTasksAndInvalidate();
		return done.then(events => {
			only(events, 'sessioncompleted').forEach(e => assert.strictEqual(e.success, true));
			// The listeners go once the engine reports the session invalid, right after the
			// last event; poll for it, bounded.
			const deadline = Date.now() + 5000;
			const poll = () => {
				const before = late;
				s.fireEvent('probe');
				if (late === before) {
					return undefined;
				}
				if (Date.now() > deadline) {
					throw new Error('listeners were not dropped after invalidation');
				}
				return new Promise(r => setTimeout(r, 20)).then(poll);
			};
			return poll();
		});
	});

	it('reset and flush call back asynchronously with {completed: true} and this = session', function () {
		const s = newSession();
		const calls = [];
		let returned = false;
		const cb = name => function (e) { calls.push({ name, e, self: this, after: returned }); };
		const both = new Promise(resolve => {
			s.reset(function (e) { cb('reset').call(this, e); if (calls.length === 2) { resolve(); } });
			s.flush(function (e) { cb('flush').call(this, e); if (calls.length === 2) { resolve(); } });
		});
		returned = true;
		return both.then(() => {
			assert.deepStrictEqual(calls.map(c => c.name).sort(), ['flush', 'reset']);
			calls.forEach(c => {
				assert.deepStrictEqual(c.e, { completed: true });
				assert.strictEqual(c.self, s);
				assert.strictEqual(c.after, true, 'called after the method returned');
			});
			s.finishTasksAndInvalidate();
			return new Promise(resolve => s.flush(resolve)); // still answers after invalidation
		});
	});

	it('reset clears the session cookies', function () {
		const s = newSession({ type: URLSession.SESSION_CONFIGURATION_TYPE_EPHEMERAL });
		const step = url => new Promise(resolve => {
			const id = s.dataTask({ url });
			const on = e => {
				if (e.taskIdentifier === id) {
					s.removeEventListener('sessioncompleted', on);
					resolve(e);
				}
			};
			s.addEventListener('sessioncompleted', on);
		});
		return step(`${base}/cookies/set?flavour=oat`)
			.then(() => step(`${base}/cookies`))
			.then(e => assert.strictEqual(JSON.parse(e.responseText).flavour, 'oat'))
			.then(() => new Promise(resolve => s.reset(resolve)))
			.then(() => step(`${base}/cookies`))
			.then(e => {
				assert.strictEqual(JSON.parse(e.responseText).flavour, undefined);
				s.finishTasksAndInvalidate();
			});
	});
});
