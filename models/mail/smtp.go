package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"strings"
	"time"
)

// defaultTimeout bounds a send whose ctx has no deadline, so a silent server
// cannot hang a request handler forever.
const defaultTimeout = 15 * time.Second

// smtpSender opens one connection per message: password mail is rare, and a
// pooled connection would need keep-alive and reconnect logic for no gain.
type smtpSender struct {
	addr        string // host:port
	host        string // for TLS verification and net/smtp's auth host check
	implicitTLS bool
	auth        bool
	username    string
	password    string
	from        *mail.Address
	logger      *slog.Logger

	rootCAs *x509.CertPool // nil = system roots; tests inject their own CA
}

func (s *smtpSender) Send(ctx context.Context, m Message) (err error) {
	to, err := checkMessage(m)
	if err != nil {
		return err
	}
	msg := buildMessage(s.from, to, m, time.Now())

	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultTimeout)
		defer cancel()
	}
	defer func() {
		// A timeout surfaces as a bare i/o error on the socket; attach the
		// ctx error so callers can tell with errors.Is.
		if err != nil {
			cerr := ctx.Err()
			var ne net.Error
			if cerr == nil && errors.As(err, &ne) && ne.Timeout() {
				// The socket deadline is the ctx deadline; it can fire a
				// moment before the ctx notices.
				cerr = context.DeadlineExceeded
			}
			if cerr != nil && !errors.Is(err, cerr) {
				err = fmt.Errorf("%w: %w", cerr, err)
			}
			err = fmt.Errorf("mail: sending via %s: %w", s.addr, err)
		}
	}()

	tlsConfig := &tls.Config{ServerName: s.host, RootCAs: s.rootCAs, MinVersion: tls.VersionTLS12}
	var conn net.Conn
	if s.implicitTLS {
		d := &tls.Dialer{Config: tlsConfig}
		conn, err = d.DialContext(ctx, "tcp", s.addr)
	} else {
		var d net.Dialer
		conn, err = d.DialContext(ctx, "tcp", s.addr)
	}
	if err != nil {
		return err
	}
	defer conn.Close()

	// net/smtp has no ctx support: the deadline covers the whole
	// conversation, and cancellation expires it early.
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		return err
	}
	defer c.Close()

	if !s.implicitTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			// No plaintext fallback if the upgrade fails: that is exactly
			// what a downgrade attacker would arrange.
			if err := c.StartTLS(tlsConfig); err != nil {
				return fmt.Errorf("STARTTLS: %w", err)
			}
		}
	}
	if s.auth {
		if ok, _ := c.Extension("AUTH"); !ok {
			return errors.New("credentials configured but server does not offer AUTH")
		}
		// PlainAuth refuses to send the password unencrypted unless the
		// server is localhost.
		if err := c.Auth(smtp.PlainAuth("", s.username, s.password, s.host)); err != nil {
			return fmt.Errorf("AUTH as %q: %w", s.username, err)
		}
	}
	if err := c.Mail(s.from.Address); err != nil {
		return fmt.Errorf("MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to.Address); err != nil {
		return fmt.Errorf("RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	// The server has accepted the message; a failed QUIT changes nothing.
	_ = c.Quit()
	s.logger.DebugContext(ctx, "mail sent", "to", to.Address, "subject", m.Subject, "via", s.addr)
	return nil
}

// buildMessage renders an RFC 5322 message with CRLF line endings. The body
// is quoted-printable so long lines (reset URLs) and non-ASCII text survive
// servers that enforce line limits or are not 8-bit clean.
func buildMessage(from, to *mail.Address, m Message, now time.Time) []byte {
	subject, text := m.Subject, m.Text
	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", from.String())
	header("To", to.String())
	header("Subject", mime.QEncoding.Encode("utf-8", subject))
	header("Date", now.Format(time.RFC1123Z))
	header("Message-ID", "<"+rand.Text()+"@"+domainOf(from.Address)+">")
	if m.Unsubscribe != "" {
		header("List-Unsubscribe", "<"+m.Unsubscribe+">")
		header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")

	// Text mode turns LF, CR and CRLF alike into CRLF; writes to a
	// bytes.Buffer cannot fail.
	qp := quotedprintable.NewWriter(&b)
	_, _ = qp.Write([]byte(text))
	_ = qp.Close()
	if !bytes.HasSuffix(b.Bytes(), []byte("\r\n")) {
		b.WriteString("\r\n")
	}
	return b.Bytes()
}

func domainOf(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[i+1:]
	}
	return "localhost"
}
