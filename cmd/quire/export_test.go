package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const markdownFixture = "../../models/importer/testdata/markdown-small"

// quire import markdown and quire export end to end on the private
// database: a dry run writes nothing, the import creates, a second run
// changes nothing, and the export writes a folder and a zip.
func TestImportMarkdownAndExportCommands(t *testing.T) {
	dir := setUpSite(t)
	out := run(t, "", "import", "markdown", markdownFixture, "--dry-run", "--data-dir", dir)
	if !strings.Contains(out, "Would import: posts and pages 5 created, 0 updated, 0 skipped; accounts 0 created.") {
		t.Errorf("dry run:\n%s", out)
	}
	out = run(t, "", "import", "--data-dir", dir, "markdown", markdownFixture)
	if !strings.Contains(out, "Imported: posts and pages 5 created, 0 updated, 0 skipped; accounts 0 created.") ||
		!strings.Contains(out, "a-letter-to-2030.md: It is scheduled for") {
		t.Errorf("import:\n%s", out)
	}
	out = run(t, "", "import", "markdown", markdownFixture, "--data-dir", dir)
	if !strings.Contains(out, "Imported: posts and pages 0 created, 0 updated, 5 skipped; accounts 0 created.") {
		t.Errorf("second import:\n%s", out)
	}
	to := t.TempDir()
	out = run(t, "", "export", filepath.Join(to, "site"), "--data-dir", dir)
	if !strings.Contains(out, "posts 5, pages 0, media files 0, accounts 1, comments 0.") {
		t.Errorf("export:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(to, "site", "posts", "night-trains-field-guide.md")); err != nil {
		t.Error(err)
	}
	out = run(t, "", "export", "--data-dir", dir, filepath.Join(to, "site.zip"))
	if !strings.Contains(out, "Exported to "+filepath.Join(to, "site.zip")) {
		t.Errorf("zip export:\n%s", out)
	}
}

func TestExportCommandErrors(t *testing.T) {
	broken := t.TempDir()
	if err := os.WriteFile(filepath.Join(broken, "broken.md"), []byte("---\ntitle: x\nsummary: a: b\n---\nText.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	full := t.TempDir()
	if err := os.WriteFile(filepath.Join(full, "mine.txt"), []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := setUpSite(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"export", "--help"}, "Usage: quire export DIR|FILE.zip"},
		{[]string{"import", "markdown", "--help"}, "markdown  a folder of .md files"},
		{[]string{"import", "markdown", "--help"}, "A Markdown folder: every .md file under it"},
		{[]string{"export"}, "export needs one folder or .zip file to write"},
		{[]string{"import", "markdown", "/no/such/folder"}, "there is no folder /no/such/folder"},
		{[]string{"import", "markdown", markdownFixture + "/jekyll/_drafts/a-guest-post-in-progress.md"}, "a-guest-post-in-progress.md is not a folder"},
		{[]string{"import", "markdown", broken, "--data-dir", dir}, "broken.md:3: the YAML front matter cannot be read: mapping values are not allowed"},
		{[]string{"import", "markdown", broken, "--data-dir", dir}, "quire: some files were left out: 1 could not be read"},
		{[]string{"import", "markdown", broken, "--atomic", "--data-dir", dir}, "quire: a file cannot be read: broken.md:3: the YAML front matter cannot be read"},
		{[]string{"import", "markdown", broken, "--atomic", "--data-dir", dir}, "(nothing was imported: --atomic)"},
		{[]string{"import", "markdown", broken, "--uploads", broken}, "--uploads is not for markdown imports; their images are read from the folder"},
		{[]string{"export", full, "--data-dir", dir}, "the folder " + full + " is not empty; name a new or empty one"},
		{[]string{"export", "/dev/full", "--data-dir", dir}, "quire: the export to /dev/full stopped: the disk is full"},
		{[]string{"export", "/no/such/folder/site.zip", "--data-dir", dir}, "there is no folder /no/such/folder to write site.zip in"},
	} {
		cmd := exec.Command(quireBin, c.args...)
		cmd.Env = cleanEnv()
		out, err := cmd.CombinedOutput()
		if !strings.Contains(string(out), c.want) {
			t.Errorf("quire %s:\n%s\nwant %q", strings.Join(c.args, " "), out, c.want)
		}
		if err == nil && !strings.HasSuffix(c.args[len(c.args)-1], "--help") {
			t.Errorf("quire %s succeeded", strings.Join(c.args, " "))
		}
	}
}
