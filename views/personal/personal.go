// Package personal records, while a page renders, whether it showed anything
// that belongs to one visitor: their account, a message meant for them, a
// token of their browser. A page that did must never become the copy that
// signed-out readers share. The components that render such things mark it
// themselves, so the rule follows what a page renders, whatever the handler
// that built it checked or forgot to check.
package personal

import (
	"context"
	"io"
	"sync/atomic"

	"github.com/a-h/templ"
)

type key struct{}

// Track returns a context in which rendering records personal content, and a
// function that reports whether any was rendered so far.
func Track(ctx context.Context) (context.Context, func() bool) {
	var seen atomic.Bool
	return context.WithValue(ctx, key{}, &seen), seen.Load
}

// Mark is placed in a template beside what it renders of one visitor's own.
// It writes nothing.
func Mark() templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, _ io.Writer) error {
		if seen, ok := ctx.Value(key{}).(*atomic.Bool); ok {
			seen.Store(true)
		}
		return nil
	})
}
