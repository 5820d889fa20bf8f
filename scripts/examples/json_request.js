// JSON requests with dataTask: a GET (no data, no method), then a POST of an object, which is
// sent as JSON with Content-Type application/json.
//
//   tirun run --serve scripts/examples/json_request.js
//   tirun run scripts/examples/json_request.js https://example.com/api
'use strict';

const URLSession = require('com.appcelerator.urlSession');

const base = process.env.TIRUN_FIXTURE_URL;
const getURL = process.argv[2] || (base && `${base}/json`);
const postURL = process.argv[2] || (base && `${base}/echo`);
if (!getURL) {
	throw new Error('json_request.js: give a URL, or run with --serve');
}

// An ephemeral session: nothing it receives (cookies, cache) outlives the run.
const session = URLSession.createSession({
	configuration: URLSession.createSessionConfiguration({
		type: URLSession.SESSION_CONFIGURATION_TYPE_EPHEMERAL,
		timeoutIntervalForRequest: 15,
		HTTPHeaderFields: { Accept: 'application/json' }
	})
});

// request starts a data task and resolves with its sessioncompleted event.
function request(args) {
	return new Promise((resolve, reject) => {
		const id = session.dataTask(args);
		const done = e => {
			if (e.taskIdentifier !== id) {
				return;
			}
			session.removeEventListener('sessioncompleted', done);
			if (e.success) {
				resolve(e);
			} else {
				reject(new Error(`${args.url}: ${e.message} (${e.errorCode})`));
			}
		};
		session.addEventListener('sessioncompleted', done);
	});
}

request({ url: getURL })
	.then(e => {
		Ti.API.info(`GET ${getURL}: HTTP ${e.statusCode}`);
		Ti.API.info(JSON.stringify(JSON.parse(e.responseText), null, 2));
		return request({ url: postURL, data: { greeting: 'hello', sentAt: Date.now() } });
	})
	.then(e => {
		Ti.API.info(`POST ${postURL}: HTTP ${e.statusCode}, ${(e.responseText || '').length} bytes back`);
	})
	.finally(() => session.finishTasksAndInvalidate());
