// Background sessions (issue 6), on the JS side. Without TIRUN_BG_FLOW these are checks that
// need one process. With it, a Go test (modules/urlsession: TestJSBackgroundFlow) has run a
// first runtime on this file's data directory that left a download running and a
// sessioncompleted whose listener threw; this file is then the next process and walks the
// flow: backgroundtransfer -> the session re-created -> its events -> sessioneventscompleted
// -> Ti.App.iOS.endBackgroundHandler.
'use strict';
const assert = require('assert');
const URLSession = require('com.appcelerator.urlSession');

const base = process.env.TIRUN_FIXTURE_URL;
const flow = process.env.TIRUN_BG_FLOW === '1';
const FLOW_ID = 'flow.bg';

function background(identifier) {
	return URLSession.createSession({ configuration: URLSession.createSessionConfiguration({
		identifier, type: URLSession.SESSION_CONFIGURATION_TYPE_BACKGROUND }) });
}

// The flow is recorded while the file loads: backgroundtransfer fires once the top-level
// code has run, before the tests.
const seen = [];
let flowDone;
const flowFinished = new Promise(resolve => { flowDone = resolve; });
if (flow) {
	let handlerId = null;
	Ti.App.iOS.addEventListener('backgroundtransfer', e => {
		seen.push({ type: 'backgroundtransfer', sessionId: e.sessionId, handlerId: e.handlerId });
		handlerId = e.handlerId;
		const session = background(e.sessionId);
		['downloadprogress', 'downloadcompleted', 'sessioncompleted'].forEach(name => {
			session.addEventListener(name, ev => {
				const rec = { type: name, taskIdentifier: ev.taskIdentifier, sessionIdentifier: ev.sessionIdentifier };
				if (name === 'downloadcompleted') rec.length = ev.data.length;
				if (name === 'sessioncompleted') rec.success = ev.success;
				seen.push(rec);
			});
		});
	});
	Ti.App.iOS.addEventListener('sessioneventscompleted', e => {
		seen.push({ type: 'sessioneventscompleted', sessionIdentifier: e.sessionIdentifier });
		Ti.App.iOS.endBackgroundHandler(handlerId);
		flowDone();
	});
}

(flow ? describe : describe.skip)('a background session taken over from an earlier process', function () {
	this.timeout(30000);

	it('announces the session with backgroundtransfer and a Session-<time> handler id', async () => {
		await flowFinished;
		assert.strictEqual(seen[0].type, 'backgroundtransfer');
		assert.strictEqual(seen[0].sessionId, FLOW_ID);
		assert.match(seen[0].handlerId, /^Session-\d+\.\d{6}$/);
		assert.strictEqual(seen.filter(e => e.type === 'backgroundtransfer').length, 1);
	});

	it('delivers again the sessioncompleted whose listener threw, and only that', async () => {
		await flowFinished;
		const first = seen.filter(e => e.taskIdentifier === 1);
		assert.deepStrictEqual(first.map(e => e.type), ['sessioncompleted']);
		assert.strictEqual(first[0].success, true);
		assert.strictEqual(first[0].sessionIdentifier, FLOW_ID);
	});

	it('finishes the download left running, events in order, whole file', async () => {
		await flowFinished;
		const second = seen.filter(e => e.taskIdentifier === 2);
		const types = second.map(e => e.type);
		assert.deepStrictEqual(types.slice(-2), ['downloadcompleted', 'sessioncompleted']);
		assert.ok(types.slice(0, -2).every(t => t === 'downloadprogress'), types.join(','));
		assert.strictEqual(second[second.length - 2].length, 60000);
		assert.strictEqual(second[second.length - 1].success, true);
	});

	it('fires sessioneventscompleted last, once', async () => {
		await flowFinished;
		const last = seen[seen.length - 1];
		assert.deepStrictEqual(last, { type: 'sessioneventscompleted', sessionIdentifier: FLOW_ID });
		assert.strictEqual(seen.filter(e => e.type === 'sessioneventscompleted').length, 1);
	});
});

describe('background sessions in one process', function () {
	this.timeout(30000);

	it('downloads with sessionIdentifier and task ids, the file as a Blob', async () => {
		const s = background(`bg.single.${Date.now()}`);
		const events = [];
		const done = new Promise(resolve => {
			s.addEventListener('downloadcompleted', e => events.push(['downloadcompleted', e.taskIdentifier, e.data.length]));
			s.addEventListener('sessioncompleted', e => { events.push(['sessioncompleted', e.taskIdentifier, e.success]); resolve(); });
		});
		const id = s.downloadTask({ url: `${base}/bytes/4096` });
		await done;
		s.finishTasksAndInvalidate();
		assert.deepStrictEqual(events, [['downloadcompleted', id, 4096], ['sessioncompleted', id, true]]);
	});

	it('endBackgroundHandler needs a string handler id', () => {
		assert.throws(() => Ti.App.iOS.endBackgroundHandler(42), TypeError);
		assert.throws(() => Ti.App.iOS.endBackgroundHandler(), /handlerId/);
	});

	it('endBackgroundHandler with an unknown handler id is harmless', () => {
		Ti.App.iOS.endBackgroundHandler('Session-0.000000');
	});
});
