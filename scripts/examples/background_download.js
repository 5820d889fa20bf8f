// The Titanium urlSession module's own example flow, without its UI: listeners on Ti.App.iOS,
// pending task ids kept in Ti.App.Properties, and each downloaded Blob written to a File in the
// application data directory.
//
//   tirun run --serve scripts/examples/background_download.js
//   tirun run scripts/examples/background_download.js https://example.com/file.zip
'use strict';

const URLSession = require('com.appcelerator.urlSession');

const base = process.env.TIRUN_FIXTURE_URL;
const urls = process.argv.slice(2).length > 0
	? process.argv.slice(2)
	: (base ? [`${base}/bytes/1048576`, `${base}/bytes/3145728`] : []);
if (urls.length === 0) {
	throw new Error('background_download.js: give URLs to download, or run with --serve');
}

// Tasks still pending from an earlier run: on iOS the system would finish them in the
// background and relaunch the app; here they died with the process, so report and forget them.
const stale = Ti.App.Properties.getObject('pendingTasks', {});
Object.keys(stale).forEach(id => Ti.API.warn(`task ${id} (${stale[id]}) did not finish in an earlier run`));
const pending = {};
Ti.App.Properties.setObject('pendingTasks', pending);

// The same identifier every launch: a relaunched app reattaches to its background session.
const configuration = URLSession.createSessionConfiguration({ identifier: 'com.test.test2' });
const session = URLSession.createSession({ configuration });

// Titanium fires these on the app when iOS relaunches it for background transfers; tirun runs
// transfers in-process, so they never fire here, but an app keeps the same handlers.
let handlerId = null;
Ti.App.iOS.addEventListener('backgroundtransfer', e => { handlerId = e.handlerId; });
Ti.App.iOS.addEventListener('sessioneventscompleted', () => {
	if (handlerId) {
		Ti.App.iOS.endBackgroundHandler(handlerId);
	}
});

Ti.App.iOS.addEventListener('downloadprogress', e => {
	if (e.totalBytesExpectedToWrite > 0) {
		const percent = Math.round((e.totalBytesWritten / e.totalBytesExpectedToWrite) * 100);
		Ti.API.info(`task ${e.taskIdentifier}: ${percent}%`);
	}
});

Ti.App.iOS.addEventListener('downloadcompleted', e => {
	const name = `download-${e.taskIdentifier}.bin`;
	const file = Ti.Filesystem.getFile(Ti.Filesystem.applicationDataDirectory, name);
	if (file.write(e.data)) {
		Ti.API.info(`task ${e.taskIdentifier}: saved ${e.data.length} bytes to ${file.nativePath}`);
	} else {
		Ti.API.error(`task ${e.taskIdentifier}: could not write ${name}`);
	}
});

Ti.App.iOS.addEventListener('sessioncompleted', e => {
	if (e.success) {
		Ti.API.info(`task ${e.taskIdentifier}: finished with HTTP ${e.statusCode}`);
	} else {
		Ti.API.error(`task ${e.taskIdentifier}: failed (${e.errorCode}) ${e.message}`);
	}
	delete pending[e.taskIdentifier];
	Ti.App.Properties.setObject('pendingTasks', pending);
	if (Object.keys(pending).length === 0) {
		session.finishTasksAndInvalidate();
	}
});

urls.forEach(url => {
	const id = session.downloadTask({ url });
	pending[id] = url;
	Ti.API.info(`task ${id}: downloading ${url}`);
});
Ti.App.Properties.setObject('pendingTasks', pending);
