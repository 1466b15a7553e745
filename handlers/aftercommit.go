package handlers

import (
	"context"

	"quire/models"
	"quire/models/mail"
	"quire/views/urls"
)

// afterCommit does what a committed change left to do (models.AfterCommit):
// its mail goes in the background; its files are removed now, and one that
// cannot be is logged (it only costs disk space). Handlers call it with
// what a model operation returned, never before the operation returned.
func (a *App) afterCommit(ctx context.Context, ac models.AfterCommit) {
	for _, m := range ac.Mail {
		a.mailer.send(a.message(m))
	}
	for _, key := range ac.DeleteFiles {
		if err := a.MediaFiles.Delete(ctx, key); err != nil {
			a.Logger.Error("delete media file", "key", key, "err", err)
		}
	}
}

// afterCommitLater runs op in the background, then acts on what it left to
// do: the request takes the same time whatever op finds (a reset for a
// known address or an unknown one), and never waits on the mail server.
func (a *App) afterCommitLater(op func(ctx context.Context) (models.AfterCommit, error)) {
	a.mailer.run(func(ctx context.Context) {
		ac, err := op(ctx)
		if err != nil {
			a.Logger.Error("mail not sent", "err", err)
			return
		}
		a.afterCommit(ctx, ac)
	})
}

// message writes the text of the mail a change called for.
func (a *App) message(m models.Mail) mail.Message {
	msg, site := mail.Message{To: m.To}, a.siteTitle()
	switch m.Kind {
	case models.MailResetLink:
		msg.Subject = "Reset your " + site + " password"
		msg.Text = "Someone asked to reset the password of the " + site + " account " + m.Username + ".\n\n" +
			"To choose a new password, open this link within the next hour:\n\n" +
			a.absURL(urls.PasswordResetToken(m.Token)) + "\n\n" +
			"If it was not you, ignore this message: your password stays as it is.\n"
	case models.MailPasswordChanged:
		msg.Subject = "Your " + site + " password was changed"
		msg.Text = "The password of the " + site + " account " + m.Username + " was just changed, and other devices were signed out.\n\n" +
			"If this was not you, reset your password now: " + a.absURL(urls.PasswordReset()) + "\n"
	case models.MailEmailChanged:
		// To the previous address, so a hijacked account's owner hears of it.
		msg.Subject = "Your " + site + " email address was changed"
		msg.Text = "The email address of the " + site + " account " + m.Username + " was changed from " + m.To +
			" to " + m.NewEmail + ". Password reset links sent before the change no longer work.\n\n" +
			"If this was not you, contact the site's administrators.\n"
	case models.MailAccountExists:
		msg.Subject = "Your " + site + " account"
		msg.Text = "Someone tried to create a new " + site + " account with this email address, which already belongs to the account " + m.Username + ".\n\n" +
			"If it was you, sign in: " + a.absURL(urls.Login("")) + "\n" +
			"If you have forgotten your password, choose a new one: " + a.absURL(urls.PasswordReset()) + "\n\n" +
			"If it was not you, ignore this message: nothing has changed.\n"
	}
	return msg
}
