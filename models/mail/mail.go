// Package mail sends the blog's outgoing mail: password reset links and
// "your password/email changed" notices.
//
// The transport is chosen by one URL (QUIRE_SMTP_URL). Without it, messages
// are written to the log instead, so a developer can follow a reset link
// without running a mail server.
package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
)

// Message is one plain-text mail to a single recipient.
type Message struct {
	To      string // one address
	Subject string
	Text    string // plain-text body
	// Unsubscribe is a one-click unsubscribe URL (https), sent as the
	// List-Unsubscribe and List-Unsubscribe-Post headers (RFC 8058); ""
	// for none.
	Unsubscribe string
}

// Sender delivers a Message. Implementations must be safe for concurrent use.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Default ports: 587 is the mail submission port that providers document for
// STARTTLS; 465 is submission over implicit TLS.
const (
	defaultSMTPPort  = "587"
	defaultSMTPSPort = "465"
)

// New picks the transport from the configured URL:
//
//   - "" -> a log sender (like Django's console backend): the whole message is
//     logged at Info, so a developer can click the reset link from the log.
//   - "smtp://user:pass@host:port" -> SMTP, upgraded with STARTTLS when the
//     server offers it; credentials are only sent over TLS or to localhost
//     (enforced by net/smtp).
//   - "smtps://user:pass@host:465" -> SMTP over implicit TLS.
//
// The query parameter "from" overrides the default from address. Errors never
// contain the password.
func New(smtpURL, from string, logger *slog.Logger) (Sender, error) {
	if logger == nil {
		logger = slog.Default()
	}
	if strings.TrimSpace(smtpURL) == "" {
		return &logSender{logger: logger}, nil
	}
	return newSMTPSender(smtpURL, from, logger)
}

// errPrefix names the setting so an operator knows which knob to fix.
const errPrefix = "mail: QUIRE_SMTP_URL: "

func configError(format string, args ...any) error {
	return fmt.Errorf(errPrefix+format, args...)
}

func newSMTPSender(rawURL, defaultFrom string, logger *slog.Logger) (*smtpSender, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// The parser's error quotes the URL (and escape errors quote pieces
		// of it), which would leak a password; only show the detail when the
		// URL cannot carry credentials.
		var uerr *url.Error
		if errors.As(err, &uerr) && !strings.Contains(rawURL, "@") {
			return nil, configError("invalid URL: %v", uerr.Err)
		}
		return nil, configError("invalid URL (details omitted because it may contain a password)")
	}

	s := &smtpSender{logger: logger}
	var defaultPort string
	switch u.Scheme {
	case "smtp":
		defaultPort = defaultSMTPPort
	case "smtps":
		s.implicitTLS = true
		defaultPort = defaultSMTPSPort
	case "":
		return nil, configError("missing scheme (use smtp:// or smtps://)")
	default:
		return nil, configError("unsupported scheme %q (use smtp:// or smtps://)", u.Scheme)
	}

	s.host = u.Hostname()
	if u.Opaque != "" || s.host == "" {
		return nil, configError("no host (e.g. %s://user:pass@mail.example.com:%s)", u.Scheme, defaultPort)
	}
	port := u.Port()
	if port == "" {
		port = defaultPort
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return nil, configError("invalid port %q", port)
	}
	s.addr = joinHostPort(s.host, port)

	if u.Path != "" && u.Path != "/" {
		return nil, configError("unexpected path %q (only ?from= may follow the host)", u.Path)
	}

	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, configError("invalid query: %v", err)
	}
	for k := range q {
		if k != "from" {
			// Catch typos such as "?form=" instead of silently using the default.
			return nil, configError("unknown query parameter %q (only \"from\" is supported)", k)
		}
	}
	fromStr := defaultFrom
	if q.Has("from") {
		fromStr = q.Get("from")
	}
	if strings.TrimSpace(fromStr) == "" {
		return nil, configError("no from address (add ?from= or configure a default)")
	}
	if s.from, err = parseAddress("from", fromStr); err != nil {
		return nil, fmt.Errorf(errPrefix+"%w", err)
	}

	if u.User != nil {
		s.username = u.User.Username()
		pw, ok := u.User.Password()
		if s.username == "" || !ok {
			return nil, configError("credentials need both a user name and a password (user:pass@host)")
		}
		s.password = pw
		s.auth = true
	}
	return s, nil
}

// joinHostPort re-brackets IPv6 literals, which url.Hostname strips.
func joinHostPort(host, port string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + port
	}
	return host + ":" + port
}

// parseAddress validates one address for a header. CR/LF is checked
// explicitly first: it is how header injection (e.g. a smuggled Bcc:) works,
// and we want a clear error rather than a parser complaint.
func parseAddress(field, s string) (*mail.Address, error) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, fmt.Errorf("mail: %s contains a line break", field)
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return nil, fmt.Errorf("mail: invalid %s address %q: %w", field, s, err)
	}
	return a, nil
}

// checkMessage validates the parts of m that end up in headers.
func checkMessage(m Message) (*mail.Address, error) {
	if strings.ContainsAny(m.Subject, "\r\n") {
		return nil, errors.New("mail: subject contains a line break")
	}
	if strings.ContainsAny(m.Unsubscribe, "\r\n<> ") {
		return nil, errors.New("mail: unsubscribe URL contains a line break, a space or angle brackets")
	}
	return parseAddress("to", m.To)
}

// logSender stands in for a mail server during development.
type logSender struct {
	logger *slog.Logger
}

func (s *logSender) Send(ctx context.Context, m Message) error {
	// Validate anyway so bad input fails in development the same way it
	// would against a real server.
	if _, err := checkMessage(m); err != nil {
		return err
	}
	s.logger.InfoContext(ctx, "mail (not sent: no QUIRE_SMTP_URL)",
		"to", m.To, "subject", m.Subject, "body", m.Text)
	return nil
}
