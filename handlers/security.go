package handlers

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"

	"github.com/labstack/echo/v4"
)

// contentSecurityPolicy allows scripts and styles from this site only: no
// inline code, no eval. htmx is configured to match (see layout.HTMXConfig).
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; font-src 'self'; connect-src 'self'; media-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the headers every response carries, errors and
// assets included. Echo's Secure middleware is not used: it sends
// SAMEORIGIN and no CSP.
func securityHeaders(https bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			h.Set("Content-Security-Policy", contentSecurityPolicy)
			h.Set("X-Frame-Options", "DENY")
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
			if https {
				h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
			}
			return next(c)
		}
	}
}

var errForbiddenCSRF = echo.NewHTTPError(http.StatusForbidden,
	"This form has expired or did not come from this site. Reload the page and try again.")

// crossOrigin refuses unsafe requests that a browser marks as coming from
// another site (Sec-Fetch-Site, else Origin against Host).
func crossOrigin() echo.MiddlewareFunc {
	cop := http.NewCrossOriginProtection()
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if err := cop.Check(c.Request()); err != nil {
				return errForbiddenCSRF
			}
			return next(c)
		}
	}
}

// csrfCookie holds the per-browser CSRF secret. It is a double-submit
// cookie rather than a session value, so anonymous readers cost no session
// row. Echo's CSRF middleware is not used: it waives the token whenever a
// browser sends Sec-Fetch-Site, and the token here is required always, on
// top of the cross-origin check.
const csrfCookie = "quire_csrf"

const csrfSecretLen = 32

// ctxCSRFInForm marks a request whose token is to be read from its form.
const ctxCSRFInForm = "csrf_in_form"

// csrfTokens requires the token on every unsafe request: the X-CSRF-Token
// header that htmx sends, or the form field _csrf (never the query string,
// which ends up in logs, history and Referer headers). A request without
// the cookie cannot pass and is refused before its body is read; a token in
// the form is checked once readBody has read it (csrfFromForm). Pages get
// the secret masked with a fresh random pad on every response (csrfToken),
// so compressed pages that also echo user input (search) do not leak it
// (BREACH). A browser gets the cookie with its first token, not before:
// readers who only read are sent no cookie at all.
func csrfTokens(https bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			var secret []byte
			if ck, err := c.Cookie(csrfCookie); err == nil {
				if b, err := base64.RawURLEncoding.DecodeString(ck.Value); err == nil && len(b) == csrfSecretLen {
					secret = b
				}
			}
			if !isSafeMethod(c.Request().Method) {
				if secret == nil && c.Path() == commentRoute {
					c.Set(ctxCSRFResend, true) // the handler sends the form back with a token (comments.go)
				} else if secret == nil {
					return errForbiddenCSRF
				}
				if sent := c.Request().Header.Get("X-CSRF-Token"); sent != "" {
					if !csrfValid(secret, sent) {
						return errForbiddenCSRF
					}
				} else {
					c.Set(ctxCSRFInForm, true)
				}
			}
			if secret != nil {
				c.Set(ctxCSRFSecret, secret)
			}
			c.Set(ctxCSRFSecure, https)
			return next(c)
		}
	}
}

// csrfFromForm checks the token of a request that sent none in the header
// against the _csrf field of its body, once the body has been read.
func csrfFromForm(c echo.Context) error {
	if inForm, _ := c.Get(ctxCSRFInForm).(bool); !inForm {
		return nil
	}
	secret, _ := c.Get(ctxCSRFSecret).([]byte)
	if secret == nil || !csrfValid(secret, c.Request().PostForm.Get("_csrf")) {
		if c.Path() == commentRoute && c.Request().PostForm.Get("_csrf") == "" {
			c.Set(ctxCSRFResend, true)
			return nil
		}
		return errForbiddenCSRF
	}
	return nil
}

// ctxCSRFResend marks a comment sent without a token: it is not taken, and
// its form comes back with one to send again.
const ctxCSRFResend = "csrf_resend"

// csrfResend reports whether the request's CSRF token was missing on a
// route that answers that with its form again.
func csrfResend(c echo.Context) bool {
	r, _ := c.Get(ctxCSRFResend).(bool)
	return r
}

// csrfToken returns a token for a form or htmx header on this response,
// freshly masked. For a browser without the cookie it makes the secret and
// sets the cookie, so call it before the response is written.
func csrfToken(c echo.Context) string {
	secret, _ := c.Get(ctxCSRFSecret).([]byte)
	if secret == nil {
		https, inLayer := c.Get(ctxCSRFSecure).(bool)
		if !inLayer {
			return "" // outside the CSRF layer (feeds, errors before it ran): no forms there
		}
		secret = make([]byte, csrfSecretLen)
		_, _ = rand.Read(secret)
		// #nosec G124 -- Secure whenever the site is served over https (BaseURL); HttpOnly and SameSite=Lax always.
		c.SetCookie(&http.Cookie{
			Name: csrfCookie, Value: base64.RawURLEncoding.EncodeToString(secret), Path: "/",
			MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: https, SameSite: http.SameSiteLaxMode,
		})
		c.Set(ctxCSRFSecret, secret)
	}
	return maskCSRF(secret)
}

// maskCSRF returns pad || pad^secret, base64url-encoded, with a new pad.
func maskCSRF(secret []byte) string {
	out := make([]byte, 2*len(secret))
	_, _ = rand.Read(out[:len(secret)])
	for i, b := range secret {
		out[len(secret)+i] = out[i] ^ b
	}
	return base64.RawURLEncoding.EncodeToString(out)
}

// csrfValid unmasks a submitted token and compares it in constant time.
func csrfValid(secret []byte, sent string) bool {
	b, err := base64.RawURLEncoding.DecodeString(sent)
	if err != nil || len(b) != 2*len(secret) {
		return false
	}
	for i := range secret {
		b[i] ^= b[len(secret)+i]
	}
	return subtle.ConstantTimeCompare(b[:len(secret)], secret) == 1
}

func isSafeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions || m == http.MethodTrace
}
