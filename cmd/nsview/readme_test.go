package main

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"

	"github.com/nsview/nsview/ui"
)

// readmeSection returns the README's section under heading (a whole line,
// e.g. "## Terminal UI"), up to the next heading of the same level.
func readmeSection(t *testing.T, heading string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(moduleRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("README.md has no %q section", heading)
	}
	level := heading[:strings.IndexByte(heading, ' ')+1]
	section, _, _ = strings.Cut(section, "\n"+level)
	return section
}

// tuiKeyTable is the README's table of the UI's keys, made from the key map.
func tuiKeyTable() string {
	var b strings.Builder
	b.WriteString("| key | action | keys bound |\n|---|---|---|\n")
	for _, r := range tuiKeys() {
		bound := make([]string, len(r.keys))
		for i, k := range r.keys {
			bound[i] = "`" + k + "`"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", r.help, r.action, strings.Join(bound, " "))
	}
	return b.String()
}

// TestREADMEKeysMatchUI checks that the README's key table is the one the
// UI's key map makes, so the README cannot drift from the keys the UI binds.
func TestREADMEKeysMatchUI(t *testing.T) {
	section := readmeSection(t, "## Terminal UI")
	want := tuiKeyTable()
	if !strings.Contains(section, "\n"+want) {
		t.Errorf("README.md's \"## Terminal UI\" section does not hold the UI's key table (from ui.DefaultKeyMap, through tuiKeys in tui.go); put this table in it:\n\n%s", want)
	}
}

// TestTUIKeysComplete: every binding of the UI's key map is among the keys
// that --help, the man page and the README list (tuiKeys), so a key added
// to ui.KeyMap without a place on the ? screen is caught here.
func TestTUIKeysComplete(t *testing.T) {
	listed := map[string]bool{}
	for _, r := range tuiKeys() {
		listed[r.help+"\x00"+strings.Join(r.keys, " ")] = true
	}
	km := reflect.ValueOf(ui.DefaultKeyMap())
	for i := range km.NumField() {
		b, ok := km.Field(i).Interface().(key.Binding)
		if !ok {
			continue
		}
		if !listed[b.Help().Key+"\x00"+strings.Join(b.Keys(), " ")] {
			t.Errorf("ui.KeyMap.%s (%s: %s) is not in tuiKeys: add it to the key map's FullHelp", km.Type().Field(i).Name, b.Help().Key, b.Help().Desc)
		}
	}
}
