package handlers

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"quire/models/mail"
)

const mailTimeout = 30 * time.Second

// mailer sends in the background: a request never waits on the mail
// server, and a password reset takes as long for unknown addresses as for
// known ones. Shutdown waits for messages in flight.
type mailer struct {
	sender mail.Sender
	log    *slog.Logger
	wg     sync.WaitGroup
}

func newMailer(s mail.Sender, log *slog.Logger) *mailer { return &mailer{sender: s, log: log} }

func (m *mailer) send(msg mail.Message) {
	m.run(func(ctx context.Context) {
		if err := m.sender.Send(ctx, msg); err != nil {
			m.log.Error("mail not sent", "to", msg.To, "subject", msg.Subject, "err", err)
		}
	})
}

// run does fn in the background within the mail deadline; wait waits for it.
func (m *mailer) run(fn func(ctx context.Context)) {
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), mailTimeout)
		defer cancel()
		fn(ctx)
	}()
}

func (m *mailer) wait(ctx context.Context) {
	done := make(chan struct{})
	go func() { m.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
}
