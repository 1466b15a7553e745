package models

import (
	"strconv"
	"strings"
	"time"
)

// The rate limits of comments, counted in PostgreSQL so that every replica
// sees the same counts. A person writes a comment in minutes, not seconds:
// five a minute lets a reader answer several others at once, and thirty an
// hour a lively discussion; past that it is a script. A client address is
// shared by a household or an office, so it gets as much as an account; a
// guest's address is an identity anyone may type, so it gets less.
var (
	CommentClientMinuteLimit  = Limit{Name: "comment-client-minute", Max: 5, Window: time.Minute}
	CommentClientHourLimit    = Limit{Name: "comment-client-hour", Max: 30, Window: time.Hour}
	CommentAccountMinuteLimit = Limit{Name: "comment-account-minute", Max: 5, Window: time.Minute}
	CommentAccountHourLimit   = Limit{Name: "comment-account-hour", Max: 30, Window: time.Hour}
	CommentGuestHourLimit     = Limit{Name: "comment-guest-hour", Max: 10, Window: time.Hour}
)

// CommentHits are what one comment from client (its address) counts
// against: the client's limits and the account's, or the guest address's.
// Editors and admins moderate comments and are not limited (nil).
func CommentHits(client string, who User, guestEmail string) []Hit {
	if who.Can(PermEditAny) {
		return nil
	}
	hits := []Hit{{CommentClientMinuteLimit, client}, {CommentClientHourLimit, client}}
	if who.ID > 0 {
		id := strconv.FormatInt(who.ID, 10)
		return append(hits, Hit{CommentAccountMinuteLimit, id}, Hit{CommentAccountHourLimit, id})
	}
	if e := strings.ToLower(strings.TrimSpace(guestEmail)); e != "" {
		hits = append(hits, Hit{CommentGuestHourLimit, e})
	}
	return hits
}
