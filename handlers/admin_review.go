package handlers

import (
	"context"

	"quire/models"
	"quire/models/mail"
	"quire/views/urls"
)

// adminReview is /admin/review: models.ReviewTable, the editors' queue of
// submitted posts, and what its actions do.
func (a *App) adminReview() *adminTable {
	return &adminTable{Table: models.ReviewTable, perm: models.PermEditAny, act: map[string]adminAction{
		"approve": func(ctx context.Context, who models.Actor, ids []int64, _ actionInput) (models.ActionResult, error) {
			return a.Admin.ApprovePosts(ctx, who, ids)
		},
		// The notes are mailed once the transaction that returned the posts committed.
		"return": func(ctx context.Context, who models.Actor, ids []int64, in actionInput) (models.ActionResult, error) {
			returned, res, err := a.Admin.ReturnPosts(ctx, who, ids, in.Reason)
			for _, r := range returned {
				a.mailer.send(a.returnedMail(r, in.Reason))
			}
			return res, err
		},
	}}
}

// returnedMail tells a post's author it came back from review, and why.
func (a *App) returnedMail(r models.Returned, note string) mail.Message {
	return mail.Message{
		To:      r.Email,
		Subject: "Your post was returned: " + r.Title,
		Text: "Hello " + r.Username + ",\n\nAn editor returned your post “" + r.Title + "” to your drafts with this note:\n\n" +
			note + "\n\nEdit it and submit it again when it is ready:\n\n" + a.absURL(urls.EditPost(r.Slug)) + "\n",
	}
}
