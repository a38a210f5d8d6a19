package ui

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
)

var update = flag.Bool("update-golden", false, "rewrite the golden files of the View tests")

// golden compares got with testdata/name, or writes it with -update-golden.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./ui -update-golden to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the golden file (go test ./ui -update-golden rewrites it after review)\n--- got (plain):\n%s\n--- want (plain):\n%s", name, ansi.Strip(got), ansi.Strip(string(want)))
	}
}

// goldenScreen checks a screen in color (256 colors, dark background), and
// its plain text, which is what a reviewer reads.
func goldenScreen(t *testing.T, tm *testModel, name string) {
	t.Helper()
	s := tm.screen(colorprofile.ANSI256)
	golden(t, name+".ansi.golden", s)
	golden(t, name+".txt.golden", ansi.Strip(s))
}

func TestViewGolden(t *testing.T) {
	for _, size := range []struct{ w, h int }{{80, 24}, {160, 48}} {
		name := func(s string) string { return s + "_" + itoa(size.w) + "x" + itoa(size.h) }
		t.Run(name("host"), func(t *testing.T) {
			tm := newTestModel(t, SnapshotSource(fixture()), size.w, size.h, Options{Title: "fixture.json"})
			goldenScreen(t, tm, name("host"))
		})
		t.Run(name("nested"), func(t *testing.T) {
			tm := newTestModel(t, SnapshotSource(fixture()), size.w, size.h, Options{Title: "fixture.json"})
			tm.selectPID(48233)
			goldenScreen(t, tm, name("nested"))
		})
		t.Run(name("nslist"), func(t *testing.T) {
			tm := newTestModel(t, SnapshotSource(fixture()), size.w, size.h, Options{Title: "fixture.json"})
			tm.key("v")
			goldenScreen(t, tm, name("nslist"))
		})
		t.Run(name("help"), func(t *testing.T) {
			tm := newTestModel(t, SnapshotSource(fixture()), size.w, size.h, Options{Title: "fixture.json"})
			tm.key("?")
			goldenScreen(t, tm, name("help"))
		})
	}
	t.Run("small_40x10", func(t *testing.T) {
		tm := newTestModel(t, SnapshotSource(fixture()), 40, 10, Options{Title: "fixture.json"})
		tm.selectPID(48230)
		goldenScreen(t, tm, "small_40x10")
	})
	t.Run("mono_80x24", func(t *testing.T) {
		tm := newTestModel(t, SnapshotSource(fixture()), 80, 24, Options{Title: "fixture.json"})
		tm.selectPID(401)
		golden(t, "mono_80x24.ascii.golden", tm.screen(colorprofile.ASCII))
	})
}

func itoa(n int) string {
	return fmtInt(n)
}
