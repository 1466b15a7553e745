package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const wxrFixture = "../../models/importer/testdata/wordpress-small.xml"

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
	dir := dataDir(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"import", "--help"}, "Usage: quire import wordpress PATH"},
		{[]string{"import", "wordpress"}, "import needs a format and a file"},
		{[]string{"import", "ghost", wxrFixture}, `cannot read "ghost" exports`},
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
