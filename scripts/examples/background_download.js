// The Titanium urlSession module's background flow, without its UI. Downloads run in a
// background session (a configuration with an identifier): if this process ends first
// (Ctrl-C, kill, or --leave-background), the next run continues them where they stopped and
// delivers their events, as iOS does when it relaunches an app for its transfers.
//
//   tirun run scripts/examples/background_download.js https://example.com/big.zip
//   tirun run --leave-background scripts/examples/background_download.js https://example.com/big.zip
//   tirun run scripts/examples/background_download.js     # the next run finishes them
//   tirun run --serve scripts/examples/background_download.js   # against the built-in server
'use strict';

const URLSession = require('com.appcelerator.urlSession');

const IDENTIFIER = 'com.tirun.example.downloads';
let session = null;
function openSession() {
	if (!session) { // one session per identifier: re-creating it reattaches to its transfers
		const configuration = URLSession.createSessionConfiguration({ identifier: IDENTIFIER });
		session = URLSession.createSession({ configuration });
	}
	return session;
}

// After this file's top-level code has run, each background session with work left by an
// earlier run is announced; re-creating it lets its tasks continue and its events flow.
let handlerId = null;
Ti.App.iOS.addEventListener('backgroundtransfer', e => {
	Ti.API.info(`continuing the transfers of ${e.sessionId} from an earlier run`);
	handlerId = e.handlerId;
	openSession();
});
// Every event owed from the earlier run was delivered: let tirun forget them.
Ti.App.iOS.addEventListener('sessioneventscompleted', e => {
	Ti.API.info(`all events of ${e.sessionIdentifier} delivered`);
	Ti.App.iOS.endBackgroundHandler(handlerId);
});

// Session events bubble to Ti.App.iOS, so these serve every session.
Ti.App.iOS.addEventListener('downloadprogress', e => {
	if (e.totalBytesExpectedToWrite > 0) {
		const percent = Math.round((e.totalBytesWritten / e.totalBytesExpectedToWrite) * 100);
		Ti.API.info(`task ${e.taskIdentifier}: ${percent}%`);
	}
});
Ti.App.iOS.addEventListener('downloadcompleted', e => {
	const file = Ti.Filesystem.getFile(Ti.Filesystem.applicationDataDirectory, `download-${e.taskIdentifier}.bin`);
	if (file.write(e.data)) {
		Ti.API.info(`task ${e.taskIdentifier}: saved ${e.data.length} bytes to ${file.nativePath}`);
	} else {
		Ti.API.error(`task ${e.taskIdentifier}: could not save the file`);
	}
});
Ti.App.iOS.addEventListener('sessioncompleted', e => {
	if (e.success) {
		Ti.API.info(`task ${e.taskIdentifier}: finished with HTTP ${e.statusCode}`);
	} else {
		Ti.API.error(`task ${e.taskIdentifier}: failed (${e.errorCode}) ${e.message}`);
	}
});

const base = process.env.TIRUN_FIXTURE_URL;
const urls = process.argv.slice(2).length > 0
	? process.argv.slice(2)
	: (base ? [`${base}/bytes/1048576`, `${base}/bytes/3145728`] : []);
urls.forEach(url => {
	const id = openSession().downloadTask({ url });
	Ti.API.info(`task ${id}: downloading ${url}`);
});
if (urls.length === 0) {
	Ti.API.info('no URL given: only transfers left by an earlier run (if any) are finished');
}
