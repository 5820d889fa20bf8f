// A large download through com.appcelerator.urlSession. The Go test that runs this file sets
// TIRUN_BIG_BYTES (256 MiB, or 1 GiB with TIRUN_BIG=1) and watches the process's peak RSS.
'use strict';
const assert = require('assert');
const URLSession = require('com.appcelerator.urlSession');

const base = process.env.TIRUN_FIXTURE_URL;
const size = Number(process.env.TIRUN_BIG_BYTES || 0);

(base && size > 0 ? describe : describe.skip)('Modules.URLSession large download', function () {
	this.timeout(10 * 60 * 1000);

	it(`downloads ${size} bytes into a file-backed Blob`, function () {
		const s = URLSession.createSession({
			configuration: URLSession.createSessionConfiguration({ identifier: 'big.download' })
		});
		let progressEvents = 0;
		let written = 0;
		let blob = null;
		s.addEventListener('downloadprogress', e => {
			progressEvents++;
			written += e.bytesWritten;
			assert.strictEqual(e.totalBytesExpectedToWrite, size);
		});
		s.addEventListener('downloadcompleted', e => { blob = e.data; });
		const done = new Promise(resolve => s.addEventListener('sessioncompleted', resolve));
		const started = Date.now();
		const id = s.downloadTask({ url: `${base}/bytes/${size}` });
		return done.then(e => {
			const seconds = (Date.now() - started) / 1000;
			assert.strictEqual(e.taskIdentifier, id);
			assert.strictEqual(e.success, true, e.message);
			assert.strictEqual(e.statusCode, 200);
			assert.strictEqual(written, size);
			assert.ok(progressEvents > 0);
			assert.ok(blob, 'downloadcompleted delivered a Blob');
			assert.strictEqual(blob.length, size);
			assert.match(blob.nativePath, /^file:\/\//);
			assert.strictEqual(blob.file.size, size);
			Ti.API.info(`big download: ${size} bytes in ${seconds.toFixed(2)} s, ${progressEvents} progress events`);
			s.finishTasksAndInvalidate();
		});
	});
});
