// Package mailtest runs an in-process SMTP server for tests, so mail is
// checked through a real SMTP conversation.
package mailtest

import (
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
)

// Message is one delivered mail, decoded.
type Message struct {
	From    string
	To      []string
	Subject string
	Body    string
	Header  mail.Header
}

// Server accepts mail on 127.0.0.1 and hands every message to Inbox.
type Server struct {
	URL   string // smtp://127.0.0.1:PORT for mail.New
	Inbox chan Message
}

// Start runs a server until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{URL: "smtp://" + ln.Addr().String(), Inbox: make(chan Message, 100)}
	srv := gosmtp.NewServer(backend{s})
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// Next waits for the next message, failing the test after timeout.
func (s *Server) Next(t testing.TB, timeout time.Duration) Message {
	t.Helper()
	select {
	case m := <-s.Inbox:
		return m
	case <-time.After(timeout):
		t.Fatal("mailtest: no message arrived")
		return Message{}
	}
}

// None asserts that no message arrives within d.
func (s *Server) None(t testing.TB, d time.Duration) {
	t.Helper()
	select {
	case m := <-s.Inbox:
		t.Fatalf("mailtest: unexpected message %q to %v", m.Subject, m.To)
	case <-time.After(d):
	}
}

type backend struct{ s *Server }

func (b backend) NewSession(*gosmtp.Conn) (gosmtp.Session, error) { return &session{s: b.s}, nil }

type session struct {
	s    *Server
	from string
	to   []string
}

func (x *session) Mail(from string, _ *gosmtp.MailOptions) error { x.from = from; return nil }
func (x *session) Rcpt(to string, _ *gosmtp.RcptOptions) error   { x.to = append(x.to, to); return nil }
func (x *session) Reset()                                        { x.from, x.to = "", nil }
func (x *session) Logout() error                                 { return nil }

func (x *session) Data(r io.Reader) error {
	msg, err := mail.ReadMessage(r)
	if err != nil {
		return err
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return err
	}
	var body io.Reader = msg.Body
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(msg.Body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	x.s.Inbox <- Message{From: x.from, To: x.to, Subject: subject, Header: msg.Header, Body: strings.ReplaceAll(string(b), "\r\n", "\n")}
	return nil
}
