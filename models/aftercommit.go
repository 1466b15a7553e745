package models

// AfterCommit is what a change leaves to do outside the database: mail to
// send and media files to remove. An operation fills it only once its
// transaction has committed (a rolled-back change returns the zero value),
// and the caller acts on it after the operation returned (handlers:
// App.afterCommit), so nothing is mailed or deleted for a change that did
// not happen, and nothing the change made is lost to a side effect that
// ran too early.
type AfterCommit struct {
	Mail []Mail
	// DeleteFiles are media keys no row, avatar or post needs any more.
	DeleteFiles []string
}

// Mail is a message a change calls for; the caller writes its text (its
// links are the site's).
type Mail struct {
	Kind     MailKind
	To       string // the one address to send it to
	Username string // the account's name
	Token    string // MailResetLink: the reset token
	NewEmail string // MailEmailChanged: the address the account moved to
}

// MailKind says which message a Mail is.
type MailKind int

const (
	MailResetLink       MailKind = iota + 1 // a password reset link
	MailPasswordChanged                     // "your password was changed"
	MailEmailChanged                        // to the old address: "your email address was changed"
	MailAccountExists                       // someone tried to sign up with this address
)
