// hello.js: the smallest tirun app. Run it with: tirun run scripts/hello.js
Ti.API.info('Hello from ' + Ti.App.name + ' ' + Ti.App.version + ' on tirun ' + Ti.version);

// Timers and promises keep the script alive until they have run.
setTimeout(function () {
	Promise.resolve('promises work').then(function (msg) {
		Ti.API.info('Later: ' + msg + ' (args: ' + JSON.stringify(process.argv.slice(2)) + ')');
	});
}, 10);
