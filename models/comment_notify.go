package models

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"quire/models/dbhealth"
)

// Mail about comments: a new comment is news for its post's author (by
// the site's setting) and an approved reply for the commenter it answers
// (if they asked). The comments' trigger (sql/00029) queues a notice per
// comment and kind; CommentMailer sends them, one mail per address per
// interval listing everything new, from one replica at a time.

// Who hears of new comments on their posts (SiteInput.CommentsNotify).
const (
	CommentNotifyOff  = "off"
	CommentNotifyHeld = "held" // only of held comments, to moderate them: the default
	CommentNotifyAll  = "all"  // of held and approved ones
)

// What a notice tells (CommentNotice.Kind).
const (
	NoticeAuthor = "author" // a new comment on the recipient's post
	NoticeReply  = "reply"  // a reply to the recipient's comment
)

// CommentMailLockKey is the advisory lock a mail run holds, so that of
// several replicas only one sends.
const CommentMailLockKey int64 = 0x71756972655f636d // "quire_cm"

// CommentMailEvery is the least time between two mails to one address:
// what comes meanwhile waits for the next mail.
const CommentMailEvery = 10 * time.Minute

// CommentMailPoll is how often serve's mailer looks for notices.
const CommentMailPoll = 30 * time.Second

// commentMailBatch bounds the addresses one run serves and the comments
// one mail lists; the rest go next time.
const commentMailBatch = 50

// CommentNotice is one comment a mail lists.
type CommentNotice struct {
	Kind      string    `db:"kind"`
	CommentID int64     `db:"comment_id"`
	ParentID  int64     `db:"parent_id"` // NoticeReply: the recipient's comment
	PostTitle string    `db:"post_title"`
	PostSlug  string    `db:"post_slug"`
	Name      string    `db:"name"` // the commenter's, as readers see it
	Body      string    `db:"body"` // Markdown-lite, as written
	Status    string    `db:"status"`
	CreatedAt time.Time `db:"created_at"`
	Address   string    `db:"address"`
}

// CommentDigest is one mail: every new comment for one address.
type CommentDigest struct {
	To    string
	Items []CommentNotice
}

// Replies are the digest's replies to the recipient's comments.
func (d CommentDigest) Replies() []CommentNotice {
	var out []CommentNotice
	for _, it := range d.Items {
		if it.Kind == NoticeReply {
			out = append(out, it)
		}
	}
	return out
}

// The pending notices with the address each goes to, read when the mail
// goes out: the post's author if active, verified and not the commenter;
// the replied-to commenter if they still want replies (a guest by the
// address given, an account by its verified one) and did not write the
// reply. address is NULL when nobody is to hear of it (any more).
const pendingNoticesSQL = `SELECT comment_id, kind, parent_id, post_title, post_slug, name, body, status, created_at,
	coalesce(CASE WHEN recipient <> coalesce(writer, '') THEN recipient END, '') AS address
FROM (SELECT n.comment_id, n.kind, coalesce(c.parent_id, 0) AS parent_id, p.title AS post_title, p.slug AS post_slug,
	` + commentName + `,
	c.body, c.status, n.created_at,
	lower(CASE WHEN c.user_id IS NULL THEN c.guest_email ELSE u.email END) AS writer,
	CASE WHEN p.deleted_at IS NOT NULL OR (u.id IS NOT NULL AND u.state <> 'active') THEN NULL
		WHEN n.kind = 'author' THEN CASE WHEN c.status IN ('held', 'approved') AND au.state = 'active'
			AND au.email_verified AND au.email <> '' THEN lower(au.email) END
		WHEN c.status = 'approved' AND pc.notify_replies THEN CASE WHEN pc.user_id IS NULL THEN nullif(lower(pc.guest_email), '')
			WHEN pu.state = 'active' AND pu.email_verified AND pu.email <> '' THEN lower(pu.email) END
	END AS recipient
FROM comment_notices n
JOIN comments c ON c.id = n.comment_id
JOIN posts p ON p.id = c.post_id
LEFT JOIN users u ON u.id = c.user_id
LEFT JOIN users au ON au.id = p.author_id
LEFT JOIN comments pc ON pc.id = c.parent_id
LEFT JOIN users pu ON pu.id = pc.user_id
WHERE n.sent_at IS NULL %s) x`

// Notices nobody is to hear of are closed, so they are not read again.
var dropNoticesSQL = `UPDATE comment_notices n SET sent_at = now() FROM (` + fmt.Sprintf(pendingNoticesSQL, "") + `) d
WHERE d.address = '' AND n.comment_id = d.comment_id AND n.kind = d.kind`

// The addresses with news whose last mail is older than the interval.
var dueAddressesSQL = `SELECT DISTINCT d.address FROM (` + fmt.Sprintf(pendingNoticesSQL, "") + `) d
WHERE d.address <> '' AND NOT EXISTS (SELECT 1 FROM comment_mail_sent s
	WHERE s.address = d.address AND s.sent_at > now() - make_interval(secs => $1))
ORDER BY d.address LIMIT $2`

// One address's notices, locked until its mail is sent and marked.
var addressNoticesSQL = `SELECT * FROM (` + fmt.Sprintf(pendingNoticesSQL, "FOR UPDATE OF n SKIP LOCKED") + `) d
WHERE d.address = $1 ORDER BY d.created_at, d.comment_id LIMIT $2`

const markNoticesSQL = `UPDATE comment_notices SET sent_at = now() WHERE (comment_id, kind) IN
	(SELECT unnest($1::bigint[]), unnest($2::text[]))`

const markAddressSQL = `INSERT INTO comment_mail_sent (address, sent_at) VALUES ($1, now())
ON CONFLICT (address) DO UPDATE SET sent_at = excluded.sent_at`

// CommentMailer sends the queued comment mail through Send, one replica
// at a time (CommentMailLockKey). A mail's notices are marked sent in the
// transaction that sent it: a failed send leaves them for the next run, and
// a restart loses nothing.
type CommentMailer struct {
	DB     *sqlx.DB
	Logger *slog.Logger
	Every  time.Duration // CommentMailEvery when 0
	Send   func(ctx context.Context, d CommentDigest) error
}

// CommentMailRun says what one run did.
type CommentMailRun struct {
	Skipped bool // another replica's run held the lock
	Mails   int
	Failed  int
}

// SendDue sends one mail to each address whose news is due.
func (m *CommentMailer) SendDue(ctx context.Context) (CommentMailRun, error) {
	var r CommentMailRun
	conn, err := m.DB.Connx(ctx)
	if err != nil {
		return r, fmt.Errorf("models: comment mail: %w", err)
	}
	defer conn.Close()
	var locked bool
	if err := conn.GetContext(ctx, &locked, `SELECT pg_try_advisory_lock($1)`, CommentMailLockKey); err != nil {
		return r, fmt.Errorf("models: comment mail: lock: %w", err)
	}
	if !locked {
		r.Skipped = true
		return r, nil
	}
	defer func() {
		// Unlocked on this connection even when ctx ended.
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, CommentMailLockKey)
	}()
	if _, err := conn.ExecContext(ctx, dropNoticesSQL); err != nil {
		return r, fmt.Errorf("models: comment mail: drop: %w", err)
	}
	every := m.Every
	if every == 0 {
		every = CommentMailEvery
	}
	var addrs []string
	if err := conn.SelectContext(ctx, &addrs, dueAddressesSQL, every.Seconds(), commentMailBatch); err != nil {
		return r, fmt.Errorf("models: comment mail: due: %w", err)
	}
	for _, addr := range addrs {
		err := inTx(ctx, conn, func(tx *sqlx.Tx) error {
			var items []CommentNotice
			if err := tx.SelectContext(ctx, &items, addressNoticesSQL, addr, commentMailBatch); err != nil {
				return err
			}
			if len(items) == 0 {
				return nil
			}
			if err := m.Send(ctx, CommentDigest{To: addr, Items: items}); err != nil {
				return errCommentMailSend{err}
			}
			ids, kinds := make([]int64, len(items)), make([]string, len(items))
			for i, it := range items {
				ids[i], kinds[i] = it.CommentID, it.Kind
			}
			if _, err := tx.ExecContext(ctx, markNoticesSQL, pq.Array(ids), pq.Array(kinds)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, markAddressSQL, addr)
			return err
		})
		var failed errCommentMailSend
		switch {
		case errors.As(err, &failed):
			r.Failed++
			m.logger().Error("comment mail not sent", "err", failed.err)
		case err != nil:
			return r, fmt.Errorf("models: comment mail: %w", err)
		default:
			r.Mails++
		}
	}
	return r, nil
}

// errCommentMailSend is a mail the server refused: the run goes on.
type errCommentMailSend struct{ err error }

func (e errCommentMailSend) Error() string { return e.err.Error() }

func (m *CommentMailer) logger() *slog.Logger {
	if m.Logger == nil {
		return slog.Default()
	}
	return m.Logger
}

// Run sends what is due at once, then every poll, until ctx ends. A
// failed run is tried again; it is logged unless the database is down or
// restarting (the outage is reported already, once).
func (m *CommentMailer) Run(ctx context.Context, poll time.Duration) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		r, err := m.SendDue(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil && Fault(err) == dbhealth.NoFault:
			m.logger().Error("comment mail: run failed", "err", err)
		case r.Mails > 0:
			m.logger().Info("comment mail sent", "mails", r.Mails)
		}
		t.Reset(poll)
	}
}
