package backup

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// loaderConfig is what a restore's database half needs.
type loaderConfig struct {
	conn       Conn
	versionNum int    // the target server's server_version_num
	dumpMajor  int    // the major version of the server the dump came from
	prelude    string // BEGIN and, when forced, the drops
}

// loader turns the dump into SQL with pg_restore and runs it with psql in
// one transaction it opens itself: psql's --single-transaction would commit
// whatever arrived when pg_restore stopped half-way, so COMMIT is sent only
// after the whole dump went through and pg_restore succeeded. Without it,
// psql ends and the server rolls everything back.
type loader struct {
	restore, psql *exec.Cmd
	in            io.WriteCloser // pg_restore's input: the dump
	feed          *os.File       // psql's input: the prelude, then pg_restore's output
	copied        chan error
	restoreErr    bytes.Buffer
	psqlErr       bytes.Buffer
}

func startLoader(ctx context.Context, cfg loaderConfig) (*loader, error) {
	pgRestore, err := tool(ctx, "pg_restore", max(cfg.versionNum, cfg.dumpMajor*10000))
	if err != nil {
		return nil, err
	}
	psqlPath, err := tool(ctx, "psql", cfg.versionNum)
	if err != nil {
		return nil, err
	}
	l := &loader{copied: make(chan error, 1)}
	// No connection: pg_restore only translates the dump to SQL.
	l.restore = exec.CommandContext(ctx, pgRestore, "--file=-", "--no-owner", "--no-privileges") // #nosec G204 -- found by pgcluster.FindTool
	l.restore.Stderr = &l.restoreErr
	if l.in, err = l.restore.StdinPipe(); err != nil {
		return nil, err
	}
	out, err := l.restore.StdoutPipe()
	if err != nil {
		return nil, err
	}
	l.psql = cfg.conn.command(ctx, psqlPath, "--no-psqlrc", "--quiet", "--no-password", "--set=ON_ERROR_STOP=1")
	l.psql.Stderr = &l.psqlErr
	// An *os.File, so a write after psql exits fails (EPIPE) instead of
	// waiting forever for a reader.
	var feedIn *os.File
	if feedIn, l.feed, err = os.Pipe(); err != nil {
		return nil, err
	}
	l.psql.Stdin = feedIn
	if err := l.psql.Start(); err != nil {
		_, _ = feedIn.Close(), l.feed.Close()
		return nil, fmt.Errorf("restore: psql: %w", err)
	}
	_ = feedIn.Close()
	if err := l.restore.Start(); err != nil {
		_ = l.feed.Close()
		_ = l.psql.Wait()
		return nil, fmt.Errorf("restore: pg_restore: %w", err)
	}
	go func() {
		_, err := io.WriteString(l.feed, cfg.prelude)
		if err == nil {
			_, err = io.Copy(l.feed, out)
		}
		if err != nil {
			_ = out.Close() // pg_restore must not wait on a reader that left
		}
		l.copied <- err
	}()
	return l, nil
}

// Write hands the dump to pg_restore.
func (l *loader) Write(p []byte) (int, error) { return l.in.Write(p) }

// finish ends both programs, committing only when commit is true and both
// did their part.
func (l *loader) finish(commit bool) error {
	_ = l.in.Close()
	copyErr := <-l.copied
	restoreErr := l.restore.Wait()
	if restoreErr != nil {
		restoreErr = fmt.Errorf("pg_restore: %w: %s", restoreErr, strings.TrimSpace(l.restoreErr.String()))
	}
	if commit && copyErr == nil && restoreErr == nil {
		_, copyErr = io.WriteString(l.feed, "COMMIT;\n")
	}
	_ = l.feed.Close()
	psqlErr := l.psql.Wait()
	if psqlErr != nil {
		// psql's message is the cause; the others only followed from it.
		return fmt.Errorf("restore: psql: %w: %s", psqlErr, strings.TrimSpace(l.psqlErr.String()))
	}
	if err := errors.Join(restoreErr, copyErr); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	return nil
}
