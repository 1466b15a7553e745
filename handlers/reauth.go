package handlers

import (
	"fmt"
	"math"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"quire/models"
)

// reauthenticate checks the signed-in user's current password before a
// change that could hand the account to someone else. Attempts go through
// the sign-in throttle (the same account key and client address as /login),
// so a borrowed session cannot guess the password here instead. It returns
// a status and a message for the password field; "" means it was right.
func (a *App) reauthenticate(c echo.Context, u models.User, password string) (int, string, error) {
	ctx := c.Request().Context()
	if password == "" {
		return http.StatusUnprocessableEntity, "Enter your current password to confirm this change.", nil
	}
	account := "user:" + strconv.FormatInt(u.ID, 10)
	wait, err := a.Throttle.RetryAfter(ctx, account, c.RealIP())
	if err != nil {
		return 0, "", err
	}
	if wait > 0 {
		minutes := int(math.Ceil(wait.Minutes()))
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())))
		return http.StatusTooManyRequests, fmt.Sprintf(
			"Too many incorrect passwords. Try again in %d minute%s.", minutes, plural(minutes)), nil
	}
	ok := false
	if len(password) <= 4*models.MaxPasswordLen {
		if ok, err = a.Users.Hasher.Compare(ctx, password, u.PasswordHash); err != nil {
			return 0, "", err
		}
	}
	if !ok {
		if err := a.Throttle.Fail(ctx, account, c.RealIP()); err != nil {
			return 0, "", err
		}
		return http.StatusUnprocessableEntity, "Your current password is incorrect.", nil
	}
	return http.StatusOK, "", a.Throttle.Reset(ctx, account)
}
