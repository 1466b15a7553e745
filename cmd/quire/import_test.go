package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const (
	wxrFixture   = "../../models/importer/testdata/wordpress-small.xml"
	ghostFixture = "../../models/importer/testdata/ghost-small.json"
)

// quire import wordpress end to end on the private database: a dry run
// writes nothing, the import creates, a second run changes nothing.
func TestImportWordPressCommand(t *testing.T) {
	dir := dataDir(t)
	out := run(t, "", "import", "wordpress", wxrFixture, "--dry-run", "--data-dir", dir)
	if !strings.Contains(out, "Would import: posts and pages 17 created, 0 updated, 1 skipped; accounts 7 created.") {
		t.Errorf("dry run:\n%s", out)
	}
	out = run(t, "", "import", "--data-dir", dir, "wordpress", wxrFixture, "--uploads", "../../models/importer/testdata/wordpress-small-uploads")
	if !strings.Contains(out, "Imported: posts and pages 17 created, 0 updated, 1 skipped; accounts 7 created.") ||
		!strings.Contains(out, "It is scheduled for 1 January 2030") || strings.Contains(out, "Attachments need --uploads") {
		t.Errorf("import:\n%s", out)
	}
	if files, _ := os.ReadDir(filepath.Join(dir, "media")); len(files) == 0 {
		t.Error("--uploads stored no media under the data dir")
	}
	out = run(t, "", "import", "wordpress", wxrFixture, "--data-dir", dir)
	if !strings.Contains(out, "Imported: posts and pages 0 created, 0 updated, 18 skipped; accounts 0 created.") {
		t.Errorf("second import:\n%s", out)
	}
}

func TestImportCommandErrors(t *testing.T) {
	notWXR := filepath.Join(t.TempDir(), "feed.xml")
	if err := os.WriteFile(notWXR, []byte(`<rss><channel><title>x</title></channel></rss>`), 0o600); err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(t.TempDir(), "cut.xml")
	raw, err := os.ReadFile(wxrFixture)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(truncated, raw[:len(raw)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	rawJSON, err := os.ReadFile(ghostFixture)
	if err != nil {
		t.Fatal(err)
	}
	cutJSON := filepath.Join(t.TempDir(), "cut.json")
	if err := os.WriteFile(cutJSON, rawJSON[:strings.Index(string(rawJSON), "Harbour at dusk")], 0o600); err != nil {
		t.Fatal(err)
	}
	dir := dataDir(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"import", "--help"}, "Usage: quire import FORMAT PATH"},
		{[]string{"import", "--help"}, "ghost     a Ghost export"},
		{[]string{"import", "--help"}, "-atomic"},
		{[]string{"import", "--help"}, "markdown  a folder of .md files"},
		{[]string{"import", "wordpress"}, "import needs a format and a file"},
		{[]string{"import", "medium", wxrFixture}, `cannot read "medium" exports; the formats it knows are: ghost, markdown, wordpress`},
		{[]string{"import", "ghost", "/no/such/file.json"}, "there is no file /no/such/file.json"},
		{[]string{"import", "ghost", ghostFixture, "--uploads", "../../models/importer/testdata/ghost-small-images"}, "--uploads is not for ghost exports; their images folder is --images"},
		{[]string{"import", "ghost", ghostFixture, "--images", "/no/such/dir"}, "--images /no/such/dir is not a folder"},
		{[]string{"import", "ghost", wxrFixture, "--data-dir", dir}, "wordpress-small.xml: importer: the file is not a Ghost export: it is XML (a WordPress export? use quire import wordpress)"},
		{[]string{"import", "ghost", cutJSON, "--data-dir", dir}, "cut.json (posts row 7): the file ends early (is it cut short?)"},
		{[]string{"import", "ghost", "../../models/importer/testdata", "--data-dir", dir}, "testdata is a folder; give the export file"},
		{[]string{"import", "wordpress", "/no/such/file.xml"}, "there is no file /no/such/file.xml"},
		{[]string{"import", "wordpress", wxrFixture, "--uploads", "/no/such/dir"}, "--uploads /no/such/dir is not a folder"},
		{[]string{"import", "wordpress", notWXR, "--data-dir", dir}, "feed.xml: importer: the file is not a WordPress export"},
		{[]string{"import", "wordpress", truncated, "--data-dir", dir}, "cut.xml:"},
	} {
		cmd := exec.Command(quireBin, c.args...)
		cmd.Env = cleanEnv()
		out, _ := cmd.CombinedOutput()
		if !strings.Contains(string(out), c.want) {
			t.Errorf("quire %s:\n%s\nwant %q", strings.Join(c.args, " "), out, c.want)
		}
	}
}

// quire import ghost end to end: the fixture's counts, its image, a second
// run that changes nothing; no progress bar when stdout is not a terminal.
func TestImportGhostCommand(t *testing.T) {
	dir := dataDir(t)
	out := run(t, "", "import", "ghost", ghostFixture, "--dry-run", "--data-dir", dir)
	if !strings.Contains(out, "Would import: posts and pages 14 created, 0 updated, 0 skipped; accounts 6 created.") {
		t.Errorf("dry run:\n%s", out)
	}
	out = run(t, "", "import", "ghost", ghostFixture, "--images", "../../models/importer/testdata/ghost-small-images", "--data-dir", dir)
	if !strings.Contains(out, "Imported: posts and pages 14 created, 0 updated, 0 skipped; accounts 6 created.") ||
		!strings.Contains(out, "Quire has no members, so it is kept as a draft") || strings.Contains(out, "Importing") {
		t.Errorf("import:\n%s", out)
	}
	if files, _ := os.ReadDir(filepath.Join(dir, "media")); len(files) == 0 {
		t.Error("--images stored no media under the data dir")
	}
	out = run(t, "", "import", "ghost", ghostFixture, "--data-dir", dir, "--atomic")
	if !strings.Contains(out, "Imported: posts and pages 0 created, 0 updated, 14 skipped; accounts 0 created.\n  14 skipped as unchanged since the last import.") {
		t.Errorf("second import:\n%s", out)
	}
}

// --atomic on a file cut short writes nothing; without it the whole items
// before the cut are kept and the error says where the file broke.
func TestImportAtomicTruncated(t *testing.T) {
	raw, err := os.ReadFile(wxrFixture)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(t.TempDir(), "cut.xml")
	if err := os.WriteFile(cut, raw[:len(raw)*2/3], 0o600); err != nil {
		t.Fatal(err)
	}
	dir := dataDir(t)
	cmd := exec.Command(quireBin, "import", "wordpress", cut, "--atomic", "--data-dir", dir)
	cmd.Env = cleanEnv()
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "cut.xml:") || !strings.Contains(string(out), "nothing was imported: --atomic") {
		t.Errorf("atomic import of a cut file: %v\n%s", err, out)
	}
	if out := run(t, "", "import", "wordpress", wxrFixture, "--dry-run", "--data-dir", dir); !strings.Contains(out, "Would import: posts and pages 17 created") {
		t.Errorf("the failed atomic import left something behind:\n%s", out)
	}
	cmd = exec.Command(quireBin, "import", "wordpress", cut, "--data-dir", dir)
	cmd.Env = cleanEnv()
	out, err = cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "cut.xml:") {
		t.Errorf("per-item import of a cut file: %v\n%s", err, out)
	}
	if out := run(t, "", "import", "wordpress", wxrFixture, "--dry-run", "--data-dir", dir); strings.Contains(out, "Would import: posts and pages 17 created") {
		t.Errorf("the per-item import kept none of the items before the cut:\n%s", out)
	}
}

// On a terminal the import draws a progress bar, then the summary; the
// other tests, whose output is a pipe, see no bar.
func TestImportProgressOnTerminal(t *testing.T) {
	out := onTerminal(t, dataDir(t), "import ghost "+ghostFixture+" --dry-run")
	bar := strings.Index(out, "Importing ")
	summary := strings.Index(out, "Would import: posts and pages 14 created")
	if bar < 0 || summary < bar || !strings.Contains(out, "%") {
		t.Errorf("no progress bar before the summary on a terminal:\n%q", out)
	}
}

// A Markdown folder's bar counts files, not bytes.
func TestImportMarkdownProgressOnTerminal(t *testing.T) {
	out := onTerminal(t, setUpSite(t), "import markdown "+markdownFixture+" --dry-run")
	bar := strings.Index(out, "Importing ")
	summary := strings.Index(out, "Would import: posts and pages 5 created")
	if bar < 0 || summary < bar || !strings.Contains(out, "/5") || strings.Contains(out, " B/") {
		t.Errorf("no bar of files before the summary on a terminal:\n%q", out)
	}
}

// onTerminal runs quire with args on the site in dir on a pseudo-terminal
// and returns what it wrote.
func onTerminal(t *testing.T, dir, args string) string {
	t.Helper()
	script, err := exec.LookPath("script") // util-linux: runs a command on a pseudo-terminal
	if err != nil {
		t.Skip("no script(1) to give the command a terminal")
	}
	cmd := exec.Command(script, "-qec", quireBin+" "+args+" --data-dir "+dir, "/dev/null")
	cmd.Env = cleanEnv()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return string(out)
}
