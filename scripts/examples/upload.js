// Upload a file with uploadTask: the file is streamed from disk, progress arrives as
// uploadprogress, the server's answer as sessioncompleted.responseText.
//
//   tirun run --serve scripts/examples/upload.js
//   tirun run scripts/examples/upload.js https://example.com/upload ./photo.jpg
'use strict';

const URLSession = require('com.appcelerator.urlSession');

const base = process.env.TIRUN_FIXTURE_URL;
const target = process.argv[2] || (base && `${base}/upload`);
if (!target) {
	throw new Error('upload.js: give an upload URL (and optionally a file), or run with --serve');
}

let file;
if (process.argv[3]) {
	file = Ti.Filesystem.getFile(process.argv[3]);
} else {
	file = Ti.Filesystem.getFile(Ti.Filesystem.tempDirectory, 'upload-example.txt');
	file.write('tirun upload example\n'.repeat(50000));
}
if (!file.exists()) {
	throw new Error(`upload.js: ${file.nativePath} does not exist`);
}

const session = URLSession.createSession({
	configuration: URLSession.createSessionConfiguration({ identifier: 'com.tirun.examples.upload' })
});

session.addEventListener('uploadprogress', e => {
	const percent = e.totalBytesExpectedToSend > 0 ? Math.round((e.totalBytesSent / e.totalBytesExpectedToSend) * 100) : '?';
	Ti.API.info(`sent ${e.totalBytesSent} bytes (${percent}%)`);
});

session.addEventListener('sessioncompleted', e => {
	if (!e.success) {
		session.finishTasksAndInvalidate();
		throw new Error(`upload failed (${e.errorCode}): ${e.message}`);
	}
	Ti.API.info(`HTTP ${e.statusCode}: ${e.responseText || '(no body)'}`);
	session.finishTasksAndInvalidate();
});

session.uploadTask({
	url: target,
	data: file,
	method: 'PUT',
	requestHeaders: { 'Content-Type': 'text/plain' }
});
