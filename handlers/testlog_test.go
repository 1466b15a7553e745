package handlers_test

import (
	"bytes"
	"log/slog"
	"sync"
	"testing"
)

// serverLog keeps what the application logs at warning level and above
// during a test, and prints it only when the test fails: a 500 in a test
// then comes with the error that caused it.
type serverLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *serverLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// newServerLog returns a logger whose output t prints if it fails.
func newServerLog(t *testing.T) *slog.Logger {
	l := &serverLog{}
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.buf.Len() > 0 {
			t.Logf("the server logged:\n%s", l.buf.String())
		}
	})
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelWarn}))
}
