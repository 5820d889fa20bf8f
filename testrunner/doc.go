// Package testrunner is `tirun test`: a mocha-compatible BDD runner for
// JavaScript test files on the tirun runtime.
//
// Each file runs in a fresh runtime with its own temporary data directory.
// The globals describe/context/it/specify, before/after/beforeEach/afterEach,
// their .only and .skip forms and xdescribe/xit are installed before the
// file loads; the file declares its suites, then the runner executes them:
// tests of a suite before its child suites, hooks around them, `this`
// shared between a suite's hooks and tests (prototype-chained to the parent
// suite), `this.timeout(ms)`, `this.skip()`, `this.retries(n)`.
//
// A test completes by returning, by calling `done` (done(err) fails it) when
// it declares a parameter, or by settling the promise it returns. Timeouts
// (default 2 s) run on Go timers, so JS fake timers cannot stop them; a test
// that spins the event loop past its timeout is interrupted. An exception in
// a timer or an unhandled rejection fails the test that was running, and the
// run goes on. .only anywhere restricts the whole run, as in mocha.
//
// Reporters: spec (mocha's default layout, coloured on request), TAP version
// 13, and JUnit XML. require('assert') (and 'node:assert', 'assert/strict')
// is a Node-compatible assert module registered by this package; npm
// assertion libraries (chai 4, should) load from node_modules.
package testrunner
