package handlers

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"golang.org/x/sync/semaphore"

	"quire/models"
)

// bodySize is the most a route's request body may hold, and what the
// sender is told past it.
type bodySize struct {
	max      int64
	tooLarge string
}

// Body sizes. A route takes a small form unless routes.go gives it more
// (allowBody); only signed-in users get more than a small form.
var (
	formBody = bodySize{64 << 10,
		"This form is larger than the site accepts. Nothing was saved."}
	// postBody fits the longest post the editor saves: MaxBodyLen characters
	// of four UTF-8 bytes, each percent-encoded to three, and the other fields.
	postBody = bodySize{models.MaxBodyLen*utf8.UTFMax*3 + formBody.max,
		fmt.Sprintf("This post is too large to save: keep it to %d characters. Nothing was saved.", models.MaxBodyLen)}
	// uploadBody fits the largest image and, from the editor, the post's text.
	uploadBody = bodySize{models.PostImage.Limits.MaxBytes + models.MaxBodyLen*utf8.UTFMax + formBody.max,
		fmt.Sprintf("The file is too large: an image can be at most %d MiB.", models.PostImage.Limits.MaxBytes>>20)}
	avatarBody = bodySize{models.Avatar.Limits.MaxBytes + formBody.max,
		fmt.Sprintf("The picture is too large: it can be at most %d MiB.", models.Avatar.Limits.MaxBytes>>20)}
	// signedOutBody is what a route that takes more gets from a visitor who
	// is not signed in: a session that ended while a long post was open.
	signedOutBody = bodySize{formBody.max,
		"You are signed out, so this could not be saved. Sign in again in another tab, then send it again from here."}
)

// Reading bodies larger than a small form: at most this many bytes of them
// at once (four uploads), waiting at most bodyWait for room.
var bodyBudget = 4 * uploadBody.max

const bodyWait = time.Second

// multipartMemory is how much of an upload's files is kept in memory; the
// rest goes to a temporary file until the handler is done.
const multipartMemory = 256 << 10

// bodies holds each route's body size and the budget for large bodies.
type bodies struct {
	sizes  map[string]bodySize // by method and route pattern
	budget *semaphore.Weighted
}

func newBodies() *bodies {
	return &bodies{sizes: map[string]bodySize{}, budget: semaphore.NewWeighted(bodyBudget)}
}

// allowBody lets route r take bodies of up to size (signed-in users only).
// Routes are registered before the server starts; sizes is read-only after.
func (a *App) allowBody(r *echo.Route, size bodySize) {
	a.bodies.sizes[r.Method+" "+r.Path] = size
}

func (b *bodies) size(c echo.Context) bodySize {
	if s, ok := b.sizes[c.Request().Method+" "+c.Path()]; ok {
		return s
	}
	return formBody
}

// limitBody refuses a body larger than its route takes before reading any
// of it, and stops reading one that grows past it. It runs on every route.
func (a *App) limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		size := a.bodies.size(c)
		r := c.Request()
		if r.ContentLength > size.max {
			return echo.NewHTTPError(http.StatusRequestEntityTooLarge, size.tooLarge)
		}
		// On a copy of the request: net/http decides from its own request's
		// body whether to drain an unread rest (up to 256 KiB) before
		// answering, and it must keep seeing the body it knows.
		r = r.WithContext(r.Context())
		r.Body = http.MaxBytesReader(c.Response().Writer, r.Body, size.max)
		c.SetRequest(r)
		return next(c)
	}
}

// readBody reads an unsafe request's form once the CSRF header check and
// the session are done, so that a handler never sees a form cut short: a
// body past its limit is a 413, one that did not arrive whole a 400. Large
// bodies share a budget (a burst past it gets a prompt 503), and a token
// sent in the form rather than the header is checked here.
func (a *App) readBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if isSafeMethod(r.Method) {
			return next(c)
		}
		size := a.bodies.size(c)
		if _, ok := currentUser(c); !ok && size.max > signedOutBody.max {
			size = signedOutBody
			if r.ContentLength > size.max {
				return echo.NewHTTPError(http.StatusRequestEntityTooLarge, size.tooLarge)
			}
			r.Body = http.MaxBytesReader(c.Response().Writer, r.Body, size.max)
		}
		if n := r.ContentLength; n > formBody.max || (n < 0 && size.max > formBody.max) {
			if n < 0 {
				n = size.max
			}
			release, err := a.bodies.reserve(r.Context(), n)
			if err != nil {
				return err
			}
			defer release()
		}
		err := parseForm(r)
		if r.MultipartForm != nil {
			defer func() { _ = r.MultipartForm.RemoveAll() }()
		}
		if err != nil {
			return bodyError(err, size)
		}
		if err := csrfFromForm(c); err != nil {
			return err
		}
		return next(c)
	}
}

var errBodyBudget = echo.NewHTTPError(http.StatusServiceUnavailable)

// reserve waits up to bodyWait for n bytes of the large-body budget.
func (b *bodies) reserve(ctx context.Context, n int64) (release func(), err error) {
	ctx, cancel := context.WithTimeout(ctx, bodyWait)
	defer cancel()
	if err := b.budget.Acquire(ctx, n); err != nil {
		return nil, errBodyBudget
	}
	return func() { b.budget.Release(n) }, nil
}

// parseForm reads the body as a form: multipart with files past
// multipartMemory on disk, URL-encoded in memory. Other bodies are left to
// the handler.
func parseForm(r *http.Request) error {
	ct, _, _ := mime.ParseMediaType(r.Header.Get(echo.HeaderContentType))
	if ct == echo.MIMEMultipartForm {
		return r.ParseMultipartForm(multipartMemory)
	}
	return r.ParseForm()
}

// bodyError maps a failed read of the body to what the sender is told.
func bodyError(err error, size bodySize) error {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) || errors.Is(err, multipart.ErrMessageTooLarge) {
		return echo.NewHTTPError(http.StatusRequestEntityTooLarge, size.tooLarge).SetInternal(err)
	}
	return echo.NewHTTPError(http.StatusBadRequest,
		"The form did not arrive complete. Please send it again.").SetInternal(err)
}
