package imaging

import (
	"context"
	"errors"
	"io"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"
)

// DefaultBudget is the memory all decodes in a process may hold at once.
// One image's decoder may take at most three quarters of it (120 MiB): a
// 48-megapixel JPEG photo (72 MB of samples) or a 30-megapixel RGBA PNG
// fits; the 40-megapixel RGBA PNG of zeros (160 MB) is refused from
// its header, as a post image and as an avatar alike.
const DefaultBudget = 160 << 20

// DefaultQueueWait is how long an upload waits for room in the budget before
// it is told to come back.
const DefaultQueueWait = 5 * time.Second

// maxConcurrent bounds how many images decode at once, however small: each
// decode keeps a core busy, so more at once only makes all of them slower.
const maxConcurrent = 8

// RetryAfter is the wait, in seconds, a client is asked for with ErrBusy.
const RetryAfter = 5

// ErrBusy: the pipeline had no room for the image within its queue wait.
// The web layer answers 503 with Retry-After.
var ErrBusy = errors.New("Too many images are being processed right now. Please try again in a few seconds.")

// Pipeline decodes and re-encodes images under one memory budget: each
// image's cost is estimated from its header (pixels times the bytes a pixel
// of the decoded format takes, plus the decoder's and scaler's working
// copies), an image costing more than the whole budget is refused at once,
// and the others wait in line, up to a queue wait bounded by their
// context, for their share. Every upload of a process (post images and
// avatars alike) goes through the same Pipeline, so together they never hold
// more than the budget.
type Pipeline struct {
	budget int64
	wait   time.Duration
	sem    *semaphore.Weighted
}

// NewPipeline returns a pipeline with a budget in bytes and a queue wait;
// zero values take the defaults.
func NewPipeline(budget int64, wait time.Duration) *Pipeline {
	if budget <= 0 {
		budget = DefaultBudget
	}
	if wait <= 0 {
		wait = DefaultQueueWait
	}
	return &Pipeline{budget: budget, wait: wait, sem: semaphore.NewWeighted(budget)}
}

// maxDecode is the most one image's decoder may allocate. It is below the
// budget so that whether an image is accepted depends on the image, not on
// the size it is fitted to: the rest covers the largest output.
func (p *Pipeline) maxDecode() int64 { return p.budget / 4 * 3 }

// Default is the process's shared pipeline.
var Default = NewPipeline(0, 0)

// Acquire reserves cost bytes of the budget (and at least a maxConcurrent
// share of it), waiting at most the queue wait and never past ctx. It
// returns the release function, ErrBusy when the wait ran out, or ctx's
// error when the request ended first. Process calls it for each image;
// other memory-heavy work may share the budget through it.
func (p *Pipeline) Acquire(ctx context.Context, cost int64) (release func(), err error) {
	n := min(max(cost, p.budget/maxConcurrent), p.budget)
	wctx, cancel := context.WithTimeout(ctx, p.wait)
	defer cancel()
	if err := p.sem.Acquire(wctx, n); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, ErrBusy
	}
	var once sync.Once
	return func() { once.Do(func() { p.sem.Release(n) }) }, nil
}

// ctxReader fails reads once ctx has ended. The standard decoders read their
// input in small pieces as they decode, so wrapping it stops a decode that
// cannot otherwise be interrupted soon after its request ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// ctxWriter does the same for the encoders' output.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}
