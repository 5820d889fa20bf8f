#!/usr/bin/env tirun
// tirun demo: parallel downloads, an upload and a JSON request through the Titanium
// com.appcelerator.urlSession API, with progress and a summary.
//
//   tirun run --serve scripts/demo.js              against the built-in loopback fixture server
//   tirun run scripts/demo.js URL [URL...]         download these URLs instead
//   tirun run --serve scripts/demo.js 8 24 64      fixture downloads of these sizes in MiB
//
// The upload and the JSON request need the fixture (process.env.TIRUN_FIXTURE_URL). The script
// throws (exit status 1) if any transfer fails, so it doubles as an end-to-end check.
'use strict';

const URLSession = require('com.appcelerator.urlSession');

const MiB = 1024 * 1024;
const base = process.env.TIRUN_FIXTURE_URL;
const args = process.argv.slice(2);
const urlArgs = args.filter(a => /^https?:\/\//i.test(a));
const sizeArgs = args.filter(a => /^\d+(\.\d+)?$/.test(a)).map(Number);

if (!base && urlArgs.length === 0) {
	throw new Error('demo.js: nothing to do. Run it with --serve (built-in fixture server) or give URLs to download.');
}

// What to transfer: downloads from the command line or the fixture, plus, with the fixture,
// one upload and two JSON data tasks.
const downloads = urlArgs.length > 0
	? urlArgs.map(url => ({ url, expected: 0 }))
	: (sizeArgs.length > 0 ? sizeArgs : [8, 24, 64]).map(mib => {
		const bytes = Math.round(mib * MiB);
		return { url: `${base}/bytes/${bytes}`, expected: bytes };
	});

const config = URLSession.createSessionConfiguration({
	identifier: 'com.tirun.demo',
	HTTPMaximumConnectionsPerHost: 6,
	timeoutIntervalForRequest: 30,
	HTTPHeaderFields: { 'X-Demo': 'tirun' }
});
const session = URLSession.createSession({ configuration: config });

// tasks: id -> what we know about it, for progress lines and the summary.
const tasks = {};
const startedAt = Date.now();

function track(kind, label, id, expected) {
	tasks[id] = { id, kind, label, expected, bytes: 0, quarter: 0, start: Date.now(), end: 0, status: 'running', note: '' };
	return tasks[id];
}

// reportProgress prints a line each time a task crosses 25%, 50%, 75%.
function reportProgress(task, done, total) {
	task.bytes = done;
	if (total <= 0) {
		return; // unknown length: the summary has the size
	}
	const quarter = Math.floor((done / total) * 4);
	if (quarter > task.quarter && quarter < 4) {
		task.quarter = quarter;
		Ti.API.info(`[${task.kind} #${task.id}] ${quarter * 25}% of ${mib(total)} MiB`);
	}
}

const mib = n => (n / MiB).toFixed(1);
const seconds = ms => (ms / 1000).toFixed(2);
const pad = (s, n) => String(s).padEnd(n);

// Listeners on Ti.App.iOS, where Titanium scripts listen: session events bubble up to it.
Ti.App.iOS.addEventListener('downloadprogress', e => {
	const task = tasks[e.taskIdentifier];
	if (task) {
		reportProgress(task, e.totalBytesWritten, e.totalBytesExpectedToWrite);
	}
});

Ti.App.iOS.addEventListener('uploadprogress', e => {
	const task = tasks[e.taskIdentifier];
	if (task) {
		reportProgress(task, e.totalBytesSent, e.totalBytesExpectedToSend);
	}
});

Ti.App.iOS.addEventListener('downloadcompleted', e => {
	const task = tasks[e.taskIdentifier];
	if (!task) {
		return;
	}
	// event.data is a file-backed Blob in the temp directory: check it without reading it.
	task.bytes = e.data.length;
	if (task.expected && e.data.length !== task.expected) {
		task.note = `expected ${task.expected} bytes`;
	}
});

Ti.App.iOS.addEventListener('sessioncompleted', e => {
	const task = tasks[e.taskIdentifier];
	if (!task || e.sessionIdentifier !== 'com.tirun.demo') {
		return;
	}
	task.end = Date.now();
	if (!e.success) {
		task.status = `failed ${e.errorCode}`;
		task.note = e.message;
	} else {
		task.status = `HTTP ${e.statusCode}`;
		if (e.statusCode >= 400) {
			task.note = task.note || 'server error';
		}
		if (task.onResponse && e.responseText) {
			task.onResponse(e.responseText);
		}
	}
	Ti.API.info(`[${task.kind} #${task.id}] done: ${task.status} ${task.note}`.trim());
	if (Object.keys(tasks).every(id => tasks[id].end)) {
		summary();
		session.finishTasksAndInvalidate();
	}
});

// Start everything at once: the session runs up to 6 transfers per host in parallel.
Ti.API.info(`tirun demo: ${downloads.length} download(s)${base ? ', 1 upload, 2 JSON requests' : ''}`);
downloads.forEach(d => {
	const id = session.downloadTask({ url: d.url });
	track('download', d.url, id, d.expected);
});

if (base) {
	const uploadSize = 4 * MiB;
	const file = Ti.Filesystem.getFile(Ti.Filesystem.tempDirectory, 'demo-upload.txt');
	file.write('tirun demo upload\n'.repeat(Math.ceil(uploadSize / 18)).slice(0, uploadSize));
	const up = track('upload', `${base}/upload`, session.uploadTask({ url: `${base}/upload`, data: file }), uploadSize);
	up.onResponse = text => {
		const r = JSON.parse(text);
		if (r.bytes !== uploadSize) {
			up.note = `server received ${r.bytes} bytes`;
		} else {
			up.note = `sha256 ${r.sha256.slice(0, 12)}…`;
		}
	};

	const echo = track('data', `${base}/echo`, session.dataTask({ url: `${base}/echo`, data: { hello: 'tirun', at: new Date().toISOString() } }), 0);
	echo.onResponse = text => {
		const r = JSON.parse(text);
		echo.bytes = text.length;
		echo.note = `${r.method} echoed, ${r.bodyLength} body bytes, X-Demo: ${r.headerMap['X-Demo']}`;
	};
	const json = track('data', `${base}/json`, session.dataTask({ url: `${base}/json` }), 0);
	json.onResponse = text => {
		json.bytes = text.length;
		json.note = `JSON keys: ${Object.keys(JSON.parse(text)).join(', ')}`;
	};
}

function summary() {
	const wall = Date.now() - startedAt;
	let total = 0;
	let failed = 0;
	Ti.API.info('');
	Ti.API.info(`${pad('task', 14)}${pad('status', 14)}${pad('MiB', 9)}${pad('time s', 9)}${pad('MiB/s', 9)}url`);
	Object.keys(tasks).map(k => tasks[k]).sort((a, b) => a.id - b.id).forEach(t => {
		const ms = Math.max(t.end - t.start, 1);
		total += t.bytes;
		if (!/^HTTP [23]/.test(t.status) || (t.note && /expected|received/.test(t.note))) {
			failed++;
		}
		Ti.API.info(`${pad(`${t.kind} #${t.id}`, 14)}${pad(t.status, 14)}${pad(mib(t.bytes), 9)}${pad(seconds(ms), 9)}${pad((t.bytes / MiB / (ms / 1000)).toFixed(1), 9)}${t.label}`);
		if (t.note) {
			Ti.API.info(`${pad('', 14)}${t.note}`);
		}
	});
	Ti.API.info(`total: ${mib(total)} MiB in ${seconds(wall)} s = ${(total / MiB / (wall / 1000)).toFixed(1)} MiB/s`);
	if (failed > 0) {
		throw new Error(`demo.js: ${failed} transfer(s) failed`);
	}
}
