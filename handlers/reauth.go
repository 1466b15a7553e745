package handlers

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/views/format"
)

// reauthenticate checks the signed-in user's current password before a
// change that could hand the account to someone else. The check is a guess
// like a sign-in, reserved and counted by the same throttle before the
// compare (models.UserModel.VerifyPassword), so a borrowed session cannot
// guess the password here instead. It returns a status and a message for
// the password field; "" means it was right.
func (a *App) reauthenticate(c echo.Context, u models.User, password string) (int, string, error) {
	if password == "" {
		return http.StatusUnprocessableEntity, "Enter your current password to confirm this change.", nil
	}
	err := a.Users.VerifyPassword(c.Request().Context(), a.Throttle, u, password, c.RealIP())
	var te *models.ThrottledError
	switch {
	case err == nil:
		return http.StatusOK, "", nil
	case errors.Is(err, models.ErrBadCredentials):
		return http.StatusUnprocessableEntity, "Your current password is incorrect.", nil
	case errors.As(err, &te):
		c.Response().Header().Set("Retry-After", strconv.Itoa(int(te.RetryAfter.Seconds())))
		return http.StatusTooManyRequests, "Too many incorrect passwords. Try again in " + format.Minutes(te.RetryAfter) + ".", nil
	}
	return 0, "", err
}
