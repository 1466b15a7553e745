package models

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrBadUnsubscribe is an unsubscribe link this site did not sign, or
// one altered since.
var ErrBadUnsubscribe = errors.New("models: the unsubscribe link is not valid")

const mailKeySQL = `SELECT comments_mail_key FROM site_settings WHERE id = 1`

// UnsubscribeToken is the signed token of the link that stops reply mail
// to whoever wrote comment id. It names the comment, not the address, so
// the address never shows in a URL or a log.
func (m *CommentModel) UnsubscribeToken(ctx context.Context, id int64) (string, error) {
	key, err := m.mailKey(ctx)
	if err != nil {
		return "", err
	}
	s := strconv.FormatInt(id, 10)
	return s + "." + unsubscribeMAC(key, s), nil
}

func (m *CommentModel) mailKey(ctx context.Context) ([]byte, error) {
	var k []byte
	if err := m.DB.GetContext(ctx, &k, mailKeySQL); err != nil {
		return nil, fmt.Errorf("models: comment mail key: %w", err)
	}
	return k, nil
}

func unsubscribeMAC(key []byte, id string) string {
	h := hmac.New(sha256.New, key)
	h.Write([]byte("unsubscribe:" + id))
	return hex.EncodeToString(h.Sum(nil))
}

// CheckUnsubscribe returns the comment a token names, or
// ErrBadUnsubscribe.
func (m *CommentModel) CheckUnsubscribe(ctx context.Context, token string) (int64, error) {
	s, sig, ok := strings.Cut(token, ".")
	id, err := strconv.ParseInt(s, 10, 64)
	if !ok || err != nil || id <= 0 {
		return 0, ErrBadUnsubscribe
	}
	key, err := m.mailKey(ctx)
	if err != nil {
		return 0, err
	}
	if !hmac.Equal([]byte(sig), []byte(unsubscribeMAC(key, s))) {
		return 0, ErrBadUnsubscribe
	}
	return id, nil
}

// Every comment by the writer of comment $1 (the same account, or a
// guest's same address) stops asking for replies.
const unsubscribeSQL = `UPDATE comments c SET notify_replies = false FROM comments w
WHERE w.id = $1 AND c.notify_replies AND ((w.user_id IS NOT NULL AND c.user_id = w.user_id)
	OR (w.user_id IS NULL AND c.user_id IS NULL AND lower(c.guest_email) = lower(w.guest_email)))`

// Unsubscribe stops reply mail to the writer of the comment a token
// names, for all their comments: the replies queued go unsent. A link
// followed twice changes nothing the second time.
func (m *CommentModel) Unsubscribe(ctx context.Context, token string) error {
	id, err := m.CheckUnsubscribe(ctx, token)
	if err != nil {
		return err
	}
	if _, err := m.DB.ExecContext(ctx, unsubscribeSQL, id); err != nil {
		return fmt.Errorf("models: unsubscribe: %w", err)
	}
	return nil
}
