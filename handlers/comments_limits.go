package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/views/format"
	"quire/views/pages"
)

// limitComment counts a comment against its writer's rate limits
// (models.CommentHits). Over a limit it answers 429 with Retry-After and
// the form as it was sent, and returns done; any other error is returned.
func (a *App) limitComment(c echo.Context, p models.Post, who models.User, email string, form pages.CommentForm) (done bool, err error) {
	hits := models.CommentHits(c.RealIP(), who, email)
	if len(hits) == 0 {
		return false, nil
	}
	err = a.Throttle.Take(c.Request().Context(), hits...)
	var te *models.ThrottledError
	if !errors.As(err, &te) {
		return false, err
	}
	c.Response().Header().Set("Retry-After", strconv.Itoa(int(te.RetryAfter.Seconds())))
	form.Error = "You have sent many comments in a short time. Your comment is kept below: send it again in " +
		format.Minutes(te.RetryAfter) + "."
	return true, a.renderComments(c, http.StatusTooManyRequests, p, form)
}
