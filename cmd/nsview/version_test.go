package main

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/nsview/nsview/internal/testenv"
)

func TestResolveBuildInfo(t *testing.T) {
	vcs := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	mod := func(v string, settings []debug.BuildSetting) *debug.BuildInfo {
		return &debug.BuildInfo{Main: debug.Module{Path: "github.com/nsview/nsview", Version: v}, Settings: settings}
	}
	for _, c := range []struct {
		name                   string
		ldVer, ldRev, ldDate   string
		bi                     *debug.BuildInfo
		wantVer, wantRev, want string
	}{
		{name: "release build: ldflags win",
			ldVer: "1.2.3", ldRev: "abc", ldDate: "2026-01-02T03:04:05Z",
			bi:      mod("(devel)", vcs("vcs.revision", "def", "vcs.time", "2020-01-01T00:00:00Z", "vcs.modified", "true")),
			wantVer: "1.2.3", wantRev: "abc", want: "2026-01-02T03:04:05Z"},
		{name: "go install @v1.0.0: module version, nothing else known",
			bi:      mod("v1.0.0", nil),
			wantVer: "v1.0.0", wantRev: "unknown", want: "unknown"},
		{name: "go install @latest of an untagged commit: pseudo-version",
			bi:      mod("v0.0.0-20261128134400-3d3f110abcde", nil),
			wantVer: "v0.0.0-20261128134400-3d3f110abcde", wantRev: "3d3f110abcde", want: "2026-11-28T13:44:00Z"},
		{name: "pseudo-version after a tag",
			bi:      mod("v1.2.4-0.20260102030405-0123456789ab", nil),
			wantVer: "v1.2.4-0.20260102030405-0123456789ab", wantRev: "0123456789ab", want: "2026-01-02T03:04:05Z"},
		{name: "pseudo-version after a pre-release, +incompatible",
			bi:      mod("v2.0.0-rc.1.0.20260102030405-0123456789ab+incompatible", nil),
			wantVer: "v2.0.0-rc.1.0.20260102030405-0123456789ab+incompatible", wantRev: "0123456789ab", want: "2026-01-02T03:04:05Z"},
		{name: "go build in a checkout: VCS stamp",
			bi:      mod("(devel)", vcs("vcs", "git", "vcs.revision", "f00d", "vcs.time", "2026-01-02T03:04:05Z", "vcs.modified", "false")),
			wantVer: "devel", wantRev: "f00d", want: "2026-01-02T03:04:05Z"},
		{name: "go build in a modified checkout",
			bi:      mod("(devel)", vcs("vcs.revision", "f00d", "vcs.modified", "true")),
			wantVer: "devel", wantRev: "f00d-dirty", want: "unknown"},
		{name: "ldflags commit is never marked dirty",
			ldRev:   "abc",
			bi:      mod("(devel)", vcs("vcs.revision", "f00d", "vcs.modified", "true")),
			wantVer: "devel", wantRev: "abc", want: "unknown"},
		{name: "no build info",
			wantVer: "devel", wantRev: "unknown", want: "unknown"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ver, rev, when := resolveBuildInfo(c.ldVer, c.ldRev, c.ldDate, c.bi)
			if ver != c.wantVer || rev != c.wantRev || when != c.want {
				t.Errorf("got (%q, %q, %q), want (%q, %q, %q)", ver, rev, when, c.wantVer, c.wantRev, c.want)
			}
		})
	}
}

// versionOutput is what `nsview version` prints for a build.
func versionOutput(ver, rev, when string) string {
	return fmt.Sprintf("nsview %s\ncommit: %s\nbuilt: %s\ngo: %s %s/%s\n", ver, rev, when, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

// TestVersionReleaseLdflags builds nsview with the ldflags .goreleaser.yaml
// gives, and runs `nsview version`. (scripts/release-check.sh checks the
// binaries goreleaser itself builds.)
func TestVersionReleaseLdflags(t *testing.T) {
	bin := builtNsview(t, "-trimpath", "-ldflags",
		"-s -w -X main.version=1.2.3 -X main.commit=0123456789abcdef0123456789abcdef01234567 -X main.date=2026-01-02T03:04:05Z")
	r := runCommand(t, t.TempDir(), os.Environ(), time.Minute, bin, "version")
	want := versionOutput("1.2.3", "0123456789abcdef0123456789abcdef01234567", "2026-01-02T03:04:05Z")
	if r.code != 0 || r.stdout != want {
		t.Errorf("nsview version: exit %d\n%s\nwant:\n%s\nstderr: %s", r.code, r.stdout, want, r.stderr)
	}
}

// TestVersionFromCheckout builds nsview in this git checkout with the VCS
// stamp on: the commit is the checkout's.
func TestVersionFromCheckout(t *testing.T) {
	git := testenv.Tool(t, "git")
	head, err := exec.Command(git, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("not in a git checkout: %v", err)
	}
	if fi, err := os.Stat(filepath.Join(moduleRoot(t), ".git")); err == nil && !fi.IsDir() {
		// A `git worktree` checkout: go finds no repository there and
		// stamps nothing (it looks for a .git directory).
		t.Skip("in a git worktree, where .git is a file, go build stamps no VCS information")
	}
	bin := builtNsview(t, "-buildvcs=true")
	r := runCommand(t, t.TempDir(), os.Environ(), time.Minute, bin, "version")
	lines := strings.Split(r.stdout, "\n")
	if r.code != 0 || len(lines) < 3 {
		t.Fatalf("nsview version: exit %d: %q %s", r.code, r.stdout, r.stderr)
	}
	rev := strings.TrimSpace(string(head))
	// Go 1.24+ derives a version from the checkout: the tag, or a
	// pseudo-version naming the commit (+dirty when modified).
	if v := strings.TrimPrefix(lines[0], "nsview "); v != "devel" && !strings.HasPrefix(v, "v") {
		t.Errorf("version line %q, want nsview devel or a version", lines[0])
	} else if m := pseudoVersion.FindStringSubmatch(strings.TrimSuffix(v, "+dirty")); m != nil && !strings.HasPrefix(rev, m[2]) {
		t.Errorf("version line %q names another commit than %s", lines[0], rev)
	}
	if lines[1] != "commit: "+rev && lines[1] != "commit: "+rev+"-dirty" {
		t.Errorf("commit line %q, want commit %s", lines[1], rev)
	}
	if _, err := time.Parse(time.RFC3339, strings.TrimPrefix(lines[2], "built: ")); err != nil {
		t.Errorf("built line %q: %v", lines[2], err)
	}
}

// TestVersionGoInstall installs nsview as a user does with
// `go install github.com/nsview/nsview/cmd/nsview@VERSION`, from a module
// proxy made of this checkout, and checks what `nsview version` says: the
// module version, and for a pseudo-version its commit and time.
func TestVersionGoInstall(t *testing.T) {
	if testing.Short() {
		t.Skip("installs nsview with go install; not in -short mode")
	}
	root := moduleRoot(t)
	files := moduleFiles(t, root)
	proxy := t.TempDir()
	const tagged, pseudo = "v0.1.0", "v0.0.0-20261128134400-3d3f110abcde"
	for _, v := range []string{tagged, pseudo} {
		writeProxyModule(t, proxy, root, files, v)
	}

	modcache := filepath.Join(t.TempDir(), "mod")
	gobin := t.TempDir()
	goEnv := func(name string) string {
		out, err := exec.Command("go", "env", name).Output()
		if err != nil {
			t.Fatalf("go env %s: %v", name, err)
		}
		return strings.TrimSpace(string(out))
	}
	// This module from the test's proxy; its dependencies from the module
	// cache the test already builds with, else the configured proxy.
	goproxy := "file://" + proxy + ",file://" + filepath.Join(goEnv("GOMODCACHE"), "cache", "download") + "," + goEnv("GOPROXY")
	env := append(os.Environ(),
		"GOPROXY="+goproxy,
		"GOMODCACHE="+modcache,
		"GOBIN="+gobin,
		"GONOSUMDB=github.com/nsview/nsview",
		"GOFLAGS=-modcacherw -trimpath", // -trimpath: reuse the build cache whatever the module cache path
		"CGO_ENABLED=0",
	)
	for _, c := range []struct{ version, rev, when string }{
		{tagged, "unknown", "unknown"},
		{pseudo, "3d3f110abcde", "2026-11-28T13:44:00Z"},
	} {
		r := runCommand(t, t.TempDir(), env, 5*time.Minute, "go", "install", "github.com/nsview/nsview/cmd/nsview@"+c.version)
		if r.code != 0 {
			t.Fatalf("go install @%s: exit %d\n%s%s", c.version, r.code, r.stdout, r.stderr)
		}
		r = runCommand(t, t.TempDir(), os.Environ(), time.Minute, filepath.Join(gobin, "nsview"), "version")
		if want := versionOutput(c.version, c.rev, c.when); r.code != 0 || r.stdout != want {
			t.Errorf("nsview version after go install @%s: exit %d\n%s\nwant:\n%s", c.version, r.code, r.stdout, want)
		}
	}
}

// moduleRoot is the directory of this module's go.mod.
func moduleRoot(t *testing.T) string {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatalf("go env GOMOD: %v", err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

// moduleFiles lists the files a published version of the module would hold:
// what git tracks, plus new files it does not ignore.
func moduleFiles(t *testing.T, root string) []string {
	git := testenv.Tool(t, "git")
	cmd := exec.Command(git, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("not in a git checkout: %v", err)
	}
	var files []string
	for _, f := range strings.Split(string(out), "\x00") {
		if f == "" {
			continue
		}
		if fi, err := os.Lstat(filepath.Join(root, f)); err != nil || !fi.Mode().IsRegular() {
			continue // deleted in the work tree, or not a plain file
		}
		files = append(files, f)
	}
	return files
}

// writeProxyModule lays out version v of the module in a GOPROXY=file://
// directory: the .info, .mod and .zip files the go command asks for.
func writeProxyModule(t *testing.T, proxy, root string, files []string, v string) {
	dir := filepath.Join(proxy, "github.com", "nsview", "nsview", "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	info, _ := json.Marshal(map[string]string{"Version": v, "Time": "2026-11-28T13:44:00Z"})
	gomod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{v + ".info": info, v + ".mod": gomod} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Create(filepath.Join(dir, v+".zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z := zip.NewWriter(f)
	for _, name := range files {
		b, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		w, err := z.Create("github.com/nsview/nsview@" + v + "/" + filepath.ToSlash(name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	list, _ := os.ReadFile(filepath.Join(dir, "list"))
	list = append(list, v+"\n"...)
	if err := os.WriteFile(filepath.Join(dir, "list"), list, 0o644); err != nil {
		t.Fatal(err)
	}
}
