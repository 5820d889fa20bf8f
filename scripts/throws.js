// throws.js: an uncaught exception ends the run with exit status 1 and a stack with file:line.
function checkConfiguration(config) {
	if (!config.url) {
		throw new Error('configuration has no url');
	}
}

setTimeout(function () {
	checkConfiguration({});
}, 1);
