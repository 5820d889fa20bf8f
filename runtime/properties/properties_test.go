package properties

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/dop251/goja"

	"github.com/tirun/tirun/internal/testkit"
	"github.com/tirun/tirun/runtime/loop"
)

// jsPrelude gives fixtures small assertion helpers (the SDK suite uses should.js).
const jsPrelude = testkit.JSAsserts

type env struct {
	vm    *goja.Runtime
	loop  *loop.Loop
	props *Properties
	warns []string
}

func newEnv(t *testing.T, dir string, presets map[string]any) *env {
	t.Helper()
	e := &env{vm: goja.New()}
	e.loop = loop.New(e.vm)
	ti, app := e.vm.NewObject(), e.vm.NewObject()
	_ = ti.Set("App", app)
	_ = e.vm.Set("Ti", ti)
	props, err := InstallOptions(e.vm, e.loop, app, dir, Options{Presets: presets, Warn: func(m string) { e.warns = append(e.warns, m) }})
	if err != nil {
		t.Fatal(err)
	}
	e.props = props
	t.Cleanup(func() { _ = props.Close(); e.loop.Close() })
	return e
}

func (e *env) run(t *testing.T, src string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err := e.loop.Run(ctx, func(vm *goja.Runtime) error {
		_, err := vm.RunScript("fixture.js", jsPrelude+src)
		return err
	})
	if err != nil {
		t.Fatalf("script failed: %v", err)
	}
}

var sdkPresets = map[string]any{"presetBool": true, "presetDouble": 1.23456, "presetInt": 1337, "presetString": "Hello!"}

// Ported from the SDK's ti.app.properties.test.js (our own assertions, same expectations).
func TestPropertiesSDKSuite(t *testing.T) {
	e := newEnv(t, t.TempDir(), sdkPresets)
	e.run(t, `
	var P = Ti.App.Properties;
	eq(P.apiName, 'Ti.App.Properties', 'apiName');
	P.apiName = 'x';
	eq(P.apiName, 'Ti.App.Properties', 'apiName is read-only');
	eq(Object.getOwnPropertyDescriptor(Ti.App, 'Properties').writable, false, 'Ti.App.Properties not replaceable');

	P.removeProperty('test_bool');
	eq(P.getBool('test_bool'), null, 'getBool default');
	eq(P.getBool('test_bool', true), true, 'getBool explicit default');
	P.setBool('test_bool', true);
	eq(P.getBool('test_bool'), true, 'set/getBool');
	P.setBool('test_bool', false);
	eq(P.getBool('test_bool', true), false, 'false is not replaced by the default');
	eq(P.getBool('presetBool'), true, 'preset bool');
	P.setBool('presetBool', false);
	eq(P.getBool('presetBool'), true, 'preset bool unchanged');

	eq(P.getDouble('test_double'), null, 'getDouble default');
	eq(P.getDouble('test_double', 3.14), 3.14, 'getDouble explicit default');
	P.setDouble('test_double', 1.321);
	eq(P.getDouble('test_double'), 1.321, 'set/getDouble');
	P.setDouble('presetDouble', 6.54321);
	eq(P.getDouble('presetDouble'), 1.23456, 'preset double unchanged');

	eq(P.getInt('test_int'), null, 'getInt default');
	eq(P.getInt('test_int', 3), 3, 'getInt explicit default');
	P.setInt('test_int', 1);
	eq(P.getInt('test_int'), 1, 'set/getInt');
	P.setInt('test_int', 2.9);
	eq(P.getInt('test_int'), 2, 'setInt truncates');
	P.setInt('presetInt', 666);
	eq(P.getInt('presetInt'), 1337, 'preset int unchanged');

	eq(P.getList('test_list_null', null), null, 'list default null');
	var list = ['item1', 'item2', 'item3'];
	P.setList('test_list', list);
	eq(P.getList('test_list'), list, 'list');
	var names = [{ name: 'One' }, { name: 1 }, { name: '' }, null, { name: true }, 1, '', null, false];
	P.setList('names', names);
	eq(JSON.stringify(P.getList('names')), JSON.stringify(names), 'mixed list with nulls');

	P.setObject('test_object', { item: 'item1', nested: { a: [1, { b: null }] } });
	eq(P.getObject('test_object'), { item: 'item1', nested: { a: [1, { b: null }] } }, 'object');
	eq(P.getObject('test_object_null'), null, 'object default');

	eq(P.getString('test_string'), null, 'getString default');
	eq(P.getString('test_string', 'defaultString'), 'defaultString', 'getString explicit default');
	P.setString('test_string', 'some test string');
	eq(P.getString('test_string'), 'some test string', 'set/getString');
	P.setString('presetString', 'a new value');
	eq(P.getString('presetString'), 'Hello!', 'preset string unchanged');

	var big = new Array(4097).join('x');
	P.setString('char4096', big);
	eq(P.getString('char4096'), big, '4096-char string');
	P.removeProperty('char4096');
	eq(P.hasProperty('char4096'), false, 'removed');

	P.setBool('test_property', true);
	var props = P.listProperties();
	eq(Array.isArray(props), true, 'listProperties is an array');
	eq(props.indexOf('test_property') >= 0, true, 'listed');
	eq(props.indexOf('presetBool') >= 0, true, 'presets listed');
	P.removeProperty('test_property');
	eq(P.listProperties().indexOf('test_property'), -1, 'removeProperty');
	P.removeProperty('presetString');
	eq(P.hasProperty('presetString'), true, 'presets cannot be removed');

	eq(P.hasProperty('test_has_property'), false, 'hasProperty false');
	P.setBool('test_has_property', true);
	eq(P.hasProperty('test_has_property'), true, 'hasProperty true');

	// Conversions between kinds, as NSUserDefaults gives them.
	P.setInt('n', 42);
	eq(P.getString('n'), '42', 'int as string');
	eq(P.getDouble('n'), 42, 'int as double');
	eq(P.getBool('n'), true, 'int as bool');
	P.setString('s', '12.5');
	eq(P.getDouble('s'), 12.5, 'numeric string as double');
	eq(P.getInt('s'), 12, 'numeric string as int');
	eq(P.getList('s', 'dflt'), 'dflt', 'string is not a list');
	P.setBool('bb', true);
	eq(P.getString('bb'), 'true', 'bool as string');
	P.setList('ll', [1]);
	eq(P.getObject('ll'), [1], 'getObject reads a list');
	P.setObject('oo', { a: 1 });
	eq(P.getList('oo', 'd'), 'd', 'getList does not read an object');
	eq(P.getInt('oo', 'd'), 'd', 'an object is not a number');
	P.setDouble('nan', NaN);
	eq(isNaN(P.getDouble('nan')), true, 'NaN survives');
	P.setDouble('inf', -Infinity);
	eq(P.getDouble('inf'), -Infinity, '-Infinity survives');

	P.removeAllProperties();
	eq(P.listProperties(), ['presetBool', 'presetDouble', 'presetInt', 'presetString'], 'removeAllProperties keeps presets');
	`)
	if len(e.warns) < 5 {
		t.Fatalf("writes to presets were not reported: %q", e.warns)
	}
}

func TestPropertiesTypeErrors(t *testing.T) {
	e := newEnv(t, t.TempDir(), nil)
	e.run(t, `
	var P = Ti.App.Properties;
	throwsType(function () { P.setString('k', 5); }, ['Ti.App.Properties.setString', "'value'", 'string', 'number'], 'setString(number)');
	throwsType(function () { P.setString('k'); }, ['setString', "'value'", 'undefined'], 'setString()');
	throwsType(function () { P.setInt('k', '5'); }, ['setInt', "'value'", 'number'], 'setInt(string)');
	throwsType(function () { P.setInt('k', NaN); }, ['setInt', 'finite'], 'setInt(NaN)');
	throwsType(function () { P.setDouble('k', true); }, ['setDouble', "'value'"], 'setDouble(bool)');
	throwsType(function () { P.setBool('k', 1); }, ['setBool', "'value'", 'boolean'], 'setBool(1)');
	throwsType(function () { P.setBool('k', new Boolean(true)); }, ['setBool'], 'setBool(Boolean object)');
	throwsType(function () { P.setList('k', { a: 1 }); }, ['setList', 'array', 'object'], 'setList(object)');
	throwsType(function () { P.setObject('k', null); }, ['setObject', 'null'], 'setObject(null)');
	throwsType(function () { P.setObject('k', function () {}); }, ['setObject', 'function'], 'setObject(function)');
	var cyclic = {}; cyclic.self = cyclic;
	throwsType(function () { P.setObject('k', cyclic); }, ['setObject', 'JSON'], 'setObject(cyclic)');
	throwsType(function () { P.getString(42); }, ['getString', "'name'", 'number'], 'getString(number)');
	throwsType(function () { P.hasProperty(); }, ['hasProperty', "'name'"], 'hasProperty()');
	throwsType(function () { P.removeProperty(''); }, ['removeProperty', 'empty'], 'removeProperty("")');
	eq(P.listProperties(), [], 'nothing was stored by failed calls');
	`)
}

func TestPropertiesSurviveIntoSecondRuntime(t *testing.T) {
	dir := t.TempDir()
	first := newEnv(t, dir, nil)
	first.run(t, `
	var P = Ti.App.Properties;
	P.setString('s', 'héllo "quoted" <tag>');
	P.setInt('i', -42);
	P.setDouble('d', 0.1 + 0.2);
	P.setBool('b', false);
	P.setList('l', [1, 'two', null, { three: 3 }]);
	P.setObject('o', { when: new Date(0), nested: [true] });
	P.setString('gone', 'x');
	P.removeProperty('gone');
	`)
	// The write happens at the end of the turn, before Close: a crash now would lose nothing.
	data, err := os.ReadFile(first.props.Store().Path())
	if err != nil || !strings.Contains(string(data), `"i"`) {
		t.Fatalf("not on disk after the run: %v %s", err, data)
	}
	if err := first.props.Close(); err != nil {
		t.Fatal(err)
	}

	second := newEnv(t, dir, nil)
	second.run(t, `
	var P = Ti.App.Properties;
	eq(P.getString('s'), 'héllo "quoted" <tag>', 'string');
	eq(P.getInt('i'), -42, 'int');
	eq(P.getDouble('d'), 0.1 + 0.2, 'double keeps every bit');
	eq(P.getBool('b', true), false, 'bool');
	eq(P.getList('l'), [1, 'two', null, { three: 3 }], 'list');
	eq(P.getObject('o'), { when: '1970-01-01T00:00:00.000Z', nested: [true] }, 'object (Date via toJSON)');
	eq(P.hasProperty('gone'), false, 'removal persisted');
	eq(P.listProperties(), ['b', 'd', 'i', 'l', 'o', 's'], 'names');
	`)
}

func TestPropertiesTwoLiveRuntimesDoNotEraseEachOther(t *testing.T) {
	dir := t.TempDir()
	a, b := newEnv(t, dir, nil), newEnv(t, dir, nil)
	a.run(t, `Ti.App.Properties.setString('fromA', 'a');`)
	b.run(t, `Ti.App.Properties.setString('fromB', 'b');`)
	if err := a.props.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.props.Close(); err != nil {
		t.Fatal(err)
	}
	c := newEnv(t, dir, nil)
	c.run(t, `eq(Ti.App.Properties.listProperties(), ['fromA', 'fromB'], 'both writers kept');`)
}

func TestPropertiesChangeEvent(t *testing.T) {
	e := newEnv(t, t.TempDir(), map[string]any{"preset": "p"})
	e.run(t, `
	var P = Ti.App.Properties;
	var seen = [];
	P.addEventListener('change', function (ev) {
		eq(ev.type, 'change', 'type');
		eq(ev.source === P, true, 'source');
		seen.push(ev.property === undefined ? '*' : ev.property);
	});
	P.setBool('test_bool', true);
	P.setBool('test_bool', true); // Titanium notifies every set, even of an equal value
	P.setDouble('test_double', 1.23);
	P.setInt('test_int', 1);
	P.setString('test_string', 'test');
	P.setList('test_list', [1, 2, 3]);
	P.setObject('test_object', { test: 'test' });
	P.setString('preset', 'ignored');
	P.removeProperty('missing');
	P.removeProperty('test_int');
	P.removeAllProperties();
	eq(seen.length, 0, 'events are asynchronous');
	globalThis.seen = seen;
	`)
	got := e.vm.Get("seen").Export()
	want := "[test_bool test_bool test_double test_int test_string test_list test_object test_int *]"
	if s := strings.TrimSpace(fmtSlice(got)); s != want {
		t.Fatalf("change events %s, want %s", s, want)
	}
}

func fmtSlice(v any) string {
	items, _ := v.([]any)
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i], _ = it.(string)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func TestPropertiesWriteFailureIsReportedAndRetried(t *testing.T) {
	dir := t.TempDir()
	e := newEnv(t, dir, nil)
	// Swap the data directory for a plain file: the end-of-turn write must fail.
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	e.run(t, `Ti.App.Properties.setString('k', 'v'); eq(Ti.App.Properties.getString('k'), 'v', 'kept in memory');`)
	if len(e.warns) != 1 || !strings.Contains(e.warns[0], "properties") {
		t.Fatalf("write failure not reported: %q", e.warns)
	}
	if err := e.props.Close(); err == nil {
		t.Fatal("Close hid the write failure")
	}
	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := e.props.Close(); err != nil {
		t.Fatalf("retry on Close: %v", err)
	}
	again := newEnv(t, dir, nil)
	again.run(t, `eq(Ti.App.Properties.getString('k'), 'v', 'retried write landed');`)
}

func TestPropertiesPresetKinds(t *testing.T) {
	e := newEnv(t, t.TempDir(), map[string]any{
		"list": []any{1, "a"}, "obj": map[string]any{"k": true}, "u8": uint8(7), "f32": float32(0.5),
	})
	e.run(t, `
	var P = Ti.App.Properties;
	eq([P.getList('list'), P.getObject('obj'), P.getInt('u8'), P.getDouble('f32')], [[1, 'a'], { k: true }, 7, 0.5], 'presets');
	P.setList('list', []);
	eq(P.getList('list'), [1, 'a'], 'preset list unchanged');
	`)
	vm := goja.New()
	l := loop.New(vm)
	defer l.Close()
	if _, err := InstallOptions(vm, l, vm.NewObject(), t.TempDir(), Options{Presets: map[string]any{"bad": make(chan int)}}); err == nil {
		t.Fatal("an unencodable preset was accepted")
	}
}
