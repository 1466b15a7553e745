package handlers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/models/importer"
	"quire/views/admin"
	"quire/views/components"
	"quire/views/format"
	"quire/views/urls"
)

// Imports from /admin/import: the file is kept in a temporary file and
// imported in the background by the replica that received it, which
// reports through importer.Jobs, so the job's page (which asks for itself
// every second) shows its progress from any replica.

// maxImportFile is the largest export the admin form takes (a blog of a
// thousand posts or so), no more than one image upload takes of the
// large-body budget; larger ones go through quire import on the server,
// which streams them from disk.
const maxImportFile = 10 << 20

// importBody fits the export file and the form around it, within the
// large-body budget (bodyBudget).
var importBody = bodySize{maxImportFile + formBody.max,
	fmt.Sprintf("The file is larger than %s, the most the import form takes. Import it on the server with quire import, which takes files of any size.",
		format.Bytes(maxImportFile))}

// importProgressEvery is how often a running import records how far it is.
const importProgressEvery = time.Second

// importRunner runs the admin's imports in the background; stop cancels
// them (each stops between items, and its job says it was interrupted)
// and waits for them.
type importRunner struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newImportRunner() *importRunner {
	ctx, cancel := context.WithCancel(context.Background())
	return &importRunner{ctx: ctx, cancel: cancel}
}

func (r *importRunner) stop(ctx context.Context) {
	r.cancel()
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
}

func (a *App) getAdminImport(c echo.Context) error {
	return a.renderImport(c, http.StatusOK, admin.ImportView{}, nil)
}

// postAdminImport starts an import of the uploaded file and shows its page.
func (a *App) postAdminImport(c echo.Context) error {
	v := admin.ImportView{DryRun: c.FormValue("dry_run") != ""}
	v.Format.Value = c.FormValue("format")
	f, ok := importer.FormatNamed(v.Format.Value)
	errs := map[string]string{}
	if !ok {
		errs["format"] = "Choose the kind of blog the file comes from."
	}
	fh, err := c.FormFile("file")
	if err != nil || fh.Size == 0 {
		errs["file"] = "Choose the export file to import."
	}
	if len(errs) > 0 {
		return a.renderImport(c, http.StatusUnprocessableEntity, v, errs)
	}
	path, err := keepUpload(fh)
	if err != nil {
		return err
	}
	u, _ := currentUser(c)
	name := filepath.Base(fh.Filename)
	if len([]rune(name)) > 200 {
		name = string([]rune(name)[:200])
	}
	id, err := a.Imports.Start(c.Request().Context(), f.Name, name, fh.Size, v.DryRun, u.ID)
	if err != nil {
		_ = os.Remove(path)
	}
	if errors.Is(err, importer.ErrJobRunning) {
		v.Error = "Another import is running. Wait for it to finish, then start this one."
		return a.renderImport(c, http.StatusConflict, v, nil)
	}
	if err != nil {
		return err
	}
	settings, err := a.Settings.Get(c.Request().Context())
	if err != nil {
		return err
	}
	a.runImport(id, f, path, name, importer.Options{DryRun: v.DryRun, Location: settings.Location(), MediaURL: urls.Media})
	return redirect(c, urls.AdminImportJob(id))
}

// keepUpload copies the form's file to a temporary file of its own, which
// outlives the request (the form's own is removed when it ends).
func keepUpload(fh *multipart.FileHeader) (path string, err error) {
	src, err := fh.Open()
	if err != nil {
		return "", err
	}
	defer src.Close()
	dst, err := os.CreateTemp("", "quire-import-*")
	if err != nil {
		return "", err
	}
	defer func() {
		if cerr := dst.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			_ = os.Remove(dst.Name())
		}
		if errors.Is(err, syscall.ENOSPC) {
			err = echo.NewHTTPError(http.StatusInsufficientStorage,
				"The server has no room to keep the file for the import. Free some disk space, then try again.").SetInternal(err)
		}
	}()
	_, err = io.Copy(dst, src)
	return dst.Name(), err
}

// runImport imports the file at path in the background, recording its
// progress at most every importProgressEvery, then its summary; the file
// is removed when it is done.
func (a *App) runImport(id int64, f importer.Format, path, name string, opt importer.Options) {
	r := a.imports
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer func() { _ = os.Remove(path) }()
		var last time.Time
		opt.Progress = func(read, _ int64) {
			if time.Since(last) < importProgressEvery {
				return
			}
			last = time.Now()
			if err := a.Imports.Progress(r.ctx, id, read); err != nil && r.ctx.Err() == nil {
				a.Logger.Warn("import progress not recorded", "job", id, "err", err)
			}
		}
		sum, err := a.importFile(r.ctx, f, path, name, opt)
		if ferr := a.Imports.Finish(r.ctx, id, sum, err); ferr != nil {
			a.Logger.Error("import result not recorded", "job", id, "err", ferr)
		}
		a.Logger.Info("import ended", "job", id, "format", f.Name, "posts_created", sum.Posts.Created,
			"posts_updated", sum.Posts.Updated, "posts_failed", sum.Posts.Failed, "err", err)
	}()
}

func (a *App) importFile(ctx context.Context, f importer.Format, path, name string, opt importer.Options) (importer.Summary, error) {
	file, err := os.Open(path) // #nosec G304 -- our own temporary file
	if err != nil {
		return importer.Summary{}, err
	}
	defer file.Close()
	return f.Read(ctx, a.DB, file, name, opt)
}

// getAdminImportJob shows one import: the page, or (htmx, while it runs)
// its state alone.
func (a *App) getAdminImportJob(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return models.ErrNotFound
	}
	j, err := a.Imports.Get(c.Request().Context(), id)
	if err != nil {
		return err
	}
	private(c)
	v := a.importJobView(c, j)
	return render(c, http.StatusOK, admin.ImportJobPage(a.adminPage(c, "Import"), a.adminTabs(c, "import"), v), admin.ImportJob(v))
}

var importStatusLabels = map[string]string{
	importer.JobRunning:     "Importing…",
	importer.JobDone:        "Finished.",
	importer.JobFailed:      "Finished with errors.",
	importer.JobInterrupted: "Interrupted.",
}

func (a *App) importJobView(c echo.Context, j importer.Job) admin.ImportJobView {
	f := a.formatter(c)
	v := admin.ImportJobView{
		ID: j.ID, Format: j.Format, FileName: j.FileName, Status: j.Status, StatusLabel: importStatusLabels[j.Status],
		DryRun: j.DryRun, Percent: j.Percent(), Read: format.Bytes(j.BytesRead), Total: format.Bytes(j.BytesTotal),
		StartedBy: j.StartedByName.String, Started: f.DateTime(j.StartedAt), Error: j.Error,
	}
	if v.StartedBy == "" {
		v.StartedBy = "a deleted account"
	}
	if fm, ok := importer.FormatNamed(j.Format); ok {
		v.Format = fm.Label
	}
	if j.FinishedAt == nil {
		return v
	}
	v.Finished = f.DateTime(*j.FinishedAt)
	s := j.Summary()
	v.Counts = []admin.ImportCount{
		{Label: "Posts and pages created", Value: format.Number(s.Posts.Created)},
		{Label: "Updated", Value: format.Number(s.Posts.Updated)},
		{Label: "Unchanged since the last import", Value: format.Number(s.Unchanged)},
		{Label: "Skipped", Value: format.Number(s.Posts.Skipped)},
		{Label: "Failed", Value: format.Number(s.Posts.Failed)},
		{Label: "Authors created", Value: format.Number(s.Users.Created)},
	}
	for _, n := range s.Notes {
		v.Notes = append(v.Notes, admin.ImportNote{Item: n.Item, Text: n.Text})
	}
	return v
}

// renderImport shows the import form (with errs beside its fields) and the
// recent imports.
func (a *App) renderImport(c echo.Context, status int, v admin.ImportView, errs map[string]string) error {
	ctx := c.Request().Context()
	jobs, err := a.Imports.Recent(ctx, 20)
	if err != nil {
		return err
	}
	private(c)
	v.Tabs, v.CSRF, v.MaxSize = a.adminTabs(c, "import"), csrfToken(c), format.Bytes(maxImportFile)
	choices := []components.Choice{{Value: "", Label: "Choose…"}}
	for _, f := range importer.Formats {
		choices = append(choices, components.Choice{Value: f.Name, Label: f.Label + ": " + f.File})
	}
	v.Format = components.Field{Name: "format", Label: "The file comes from", Type: "select", Value: v.Format.Value,
		Choices: choices, Error: errs["format"], Required: true}
	v.File = components.Field{Name: "file", Label: "Export file", Type: "file", Error: errs["file"], Required: true,
		Accept: ".xml,.json,application/xml,text/xml,application/json"}
	for _, j := range jobs {
		jv := a.importJobView(c, j)
		jv.Counts, jv.Notes = nil, nil
		v.Jobs = append(v.Jobs, jv)
		if j.Status == importer.JobRunning {
			v.Running = j.ID
		}
	}
	return render(c, status, admin.ImportPage(a.adminPage(c, "Import"), v), nil)
}
