package importer

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"quire/models"
)

// Imports started from the admin area run in the background and report
// through import_jobs (sql/00024), so every replica can show how far they
// are. One runs at a time.

// Job states.
const (
	JobRunning     = "running"
	JobDone        = "done"
	JobFailed      = "failed"
	JobInterrupted = "interrupted" // its process stopped before it finished
)

// JobStale is how long a running job's heartbeat may be silent before the
// job is taken for dead (its replica stopped mid-import).
const JobStale = 2 * time.Minute

// maxJobNotes bounds the notes a job keeps, so its row (and page) stays small
// whatever the file held.
const maxJobNotes = 500

// ErrJobRunning: another import is running; one at a time.
var ErrJobRunning = errors.New("importer: an import is already running")

// Job is one background import.
type Job struct {
	ID            int64          `db:"id"`
	Format        string         `db:"format"`
	FileName      string         `db:"file_name"`
	Status        string         `db:"status"`
	DryRun        bool           `db:"dry_run"`
	BytesRead     int64          `db:"bytes_read"`
	BytesTotal    int64          `db:"bytes_total"`
	SummaryJSON   []byte         `db:"summary"`
	Error         string         `db:"error"`
	StartedBy     sql.NullInt64  `db:"started_by"`
	StartedByName sql.NullString `db:"started_by_name"`
	StartedAt     time.Time      `db:"started_at"`
	FinishedAt    *time.Time     `db:"finished_at"`
}

// Summary is the finished job's report (zero while it runs).
func (j Job) Summary() Summary {
	var s Summary
	_ = json.Unmarshal(j.SummaryJSON, &s) // written by Finish from a Summary
	return s
}

// Percent is how much of the file has been read, 0 to 100.
func (j Job) Percent() int {
	if j.BytesTotal <= 0 {
		return 0
	}
	return int(min(100, j.BytesRead*100/j.BytesTotal))
}

// Jobs reads and writes import_jobs.
type Jobs struct{ DB *sqlx.DB }

const jobColumns = `j.id, j.format, j.file_name, j.status, j.dry_run, j.bytes_read, j.bytes_total, j.summary,
	j.error, j.started_by, coalesce(nullif(u.display_name, ''), u.username) AS started_by_name, j.started_at, j.finished_at`

const interruptStaleJobsSQL = `UPDATE import_jobs SET status = 'interrupted', finished_at = now(),
	error = 'The import stopped when the site was restarted. Run it again: what was imported is kept, and nothing is imported twice.'
WHERE status = 'running' AND heartbeat_at < now() - $1 * interval '1 second'`

const startJobSQL = `INSERT INTO import_jobs (format, file_name, bytes_total, dry_run, started_by)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT ((true)) WHERE status = 'running' DO NOTHING
RETURNING id`

// Start records a new running job, or returns ErrJobRunning when another
// is running. A running job whose heartbeat stopped is marked interrupted
// first.
func (m *Jobs) Start(ctx context.Context, format, fileName string, size int64, dryRun bool, by int64) (int64, error) {
	if _, err := m.DB.ExecContext(ctx, interruptStaleJobsSQL, JobStale.Seconds()); err != nil {
		return 0, fmt.Errorf("importer: interrupt stale jobs: %w", err)
	}
	var id int64
	err := m.DB.GetContext(ctx, &id, startJobSQL, format, fileName, size, dryRun, by)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrJobRunning
	}
	if err != nil {
		return 0, fmt.Errorf("importer: start job: %w", err)
	}
	return id, nil
}

const jobProgressSQL = `UPDATE import_jobs SET bytes_read = $2, heartbeat_at = now() WHERE id = $1 AND status = 'running'`

// Progress records how much of the file was read, and that the job lives.
func (m *Jobs) Progress(ctx context.Context, id, read int64) error {
	if _, err := m.DB.ExecContext(ctx, jobProgressSQL, id, read); err != nil {
		return fmt.Errorf("importer: job progress: %w", err)
	}
	return nil
}

const finishJobSQL = `UPDATE import_jobs SET status = $2, summary = $3, error = $4, bytes_read = CASE WHEN $2 = 'done' THEN bytes_total ELSE bytes_read END,
	finished_at = now(), heartbeat_at = now()
WHERE id = $1 AND status = 'running'`

// Finish records how the job ended: done, or failed with runErr's message
// (interrupted when ctx was cancelled: the process is stopping). Its own
// write does not use ctx, so a stopping process still records it.
func (m *Jobs) Finish(ctx context.Context, id int64, sum Summary, runErr error) error {
	status, msg := JobDone, ""
	switch {
	case runErr != nil && ctx.Err() != nil:
		status, msg = JobInterrupted, "The import stopped when the site was shut down. Run it again: what was imported is kept, and nothing is imported twice."
	case errors.Is(runErr, ErrItemsFailed):
		status, msg = JobFailed, fmt.Sprintf("%d items could not be imported; the notes say which and why. Run it again to retry them.", sum.Posts.Failed)
	case runErr != nil:
		status, msg = JobFailed, runErr.Error()
	}
	if n := len(sum.Notes); n > maxJobNotes {
		sum.Notes = append(sum.Notes[:maxJobNotes:maxJobNotes], Note{Text: fmt.Sprintf("… and %d more notes (the command line's import lists them all).", n-maxJobNotes)})
	}
	b, err := json.Marshal(sum)
	if err != nil {
		return err
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, err := m.DB.ExecContext(wctx, finishJobSQL, id, status, b, msg); err != nil {
		return fmt.Errorf("importer: finish job: %w", err)
	}
	return nil
}

const getJobSQL = `SELECT ` + jobColumns + ` FROM import_jobs j LEFT JOIN users u ON u.id = j.started_by WHERE j.id = $1`

// Get returns one job, or models.ErrNotFound.
func (m *Jobs) Get(ctx context.Context, id int64) (Job, error) {
	var j Job
	err := m.DB.GetContext(ctx, &j, getJobSQL, id)
	if errors.Is(err, sql.ErrNoRows) {
		return Job{}, models.ErrNotFound
	}
	if err != nil {
		return Job{}, fmt.Errorf("importer: get job: %w", err)
	}
	return j, nil
}

const recentJobsSQL = `SELECT ` + jobColumns + ` FROM import_jobs j LEFT JOIN users u ON u.id = j.started_by
ORDER BY j.id DESC LIMIT $1`

// Recent returns the newest n jobs, newest first.
func (m *Jobs) Recent(ctx context.Context, n int) ([]Job, error) {
	jobs := []Job{}
	if err := m.DB.SelectContext(ctx, &jobs, recentJobsSQL, n); err != nil {
		return nil, fmt.Errorf("importer: recent jobs: %w", err)
	}
	return jobs, nil
}
