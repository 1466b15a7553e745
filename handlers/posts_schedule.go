package handlers

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"quire/models"
	"quire/models/markdown"
	"quire/views/pages"
)

// publishAtLayouts are what a datetime-local field sends: minutes, or
// seconds when the browser's step asks for them. The first is what the
// field is given back.
var publishAtLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05"}

// schedulable are the states a post may be given a publish time in.
var schedulable = []string{models.PostDraft, models.PostSubmitted, models.PostScheduled}

// siteZone is the zone dates are read and written in (a.formatter's).
func (a *App) siteZone(c echo.Context) *time.Location {
	if z := a.formatter(c).Zone; z != nil {
		return z
	}
	return time.UTC
}

// publishTime reads the form's publish_at in the site's time zone. msg,
// when not "", says what is wrong with it, for the field.
func (a *App) publishTime(c echo.Context) (at time.Time, msg string) {
	raw := strings.TrimSpace(c.FormValue("publish_at"))
	if raw == "" {
		return time.Time{}, "Choose the day and time to publish on."
	}
	zone := a.siteZone(c)
	for _, layout := range publishAtLayouts {
		t, err := time.ParseInLocation(layout, raw, zone)
		if err != nil {
			continue
		}
		if t.Before(time.Now().Add(-models.ScheduleGrace)) {
			return t, "That time has passed (it is now " + a.formatter(c).DateTime(time.Now()) + " in " + zone.String() +
				"). Choose a time to come, or publish the post now."
		}
		return t, ""
	}
	return time.Time{}, "Write the day and time as year-month-day and hours:minutes, such as 2026-12-24T09:00."
}

// scheduleFields is the editor's publish time for the post v edits, when
// the viewer may schedule it: what was typed (on a refused form) or the
// time it is scheduled for.
func (a *App) scheduleFields(c echo.Context, v pages.EditorView) pages.ScheduleView {
	if v.ID == 0 {
		return pages.ScheduleView{} // a new post is scheduled once saved
	}
	p, err := a.Posts.Get(c.Request().Context(), v.ID)
	if err != nil || !canPublish(c, p) || !slices.Contains(schedulable, p.Status) {
		return pages.ScheduleView{}
	}
	s := v.Schedule
	s.Show, s.ID, s.Zone, s.Error = true, p.ID, a.siteZone(c).String(), v.Errors["publish_at"]
	if p.ScheduledAt != nil {
		s.Scheduled = a.formatter(c).DateTime(*p.ScheduledAt)
		if s.Value == "" {
			s.Value = p.ScheduledAt.In(a.siteZone(c)).Format(publishAtLayouts[0])
		}
	}
	return s
}

// postSchedule saves the editor's form and has the post published at its
// publish_at. A time that cannot be read, or has passed, is a 422 with the
// form as typed; nothing is saved then.
func (a *App) postSchedule(c echo.Context) error {
	return a.saveAndSchedule(c, true)
}

// postUnschedule saves the editor's form and cancels the post's schedule:
// it is a draft again.
func (a *App) postUnschedule(c echo.Context) error {
	return a.saveAndSchedule(c, false)
}

// saveAndSchedule saves the form, as Save does, then schedules the post
// (schedule) or cancels its schedule: the words typed since the last
// autosave go with it.
func (a *App) saveAndSchedule(c echo.Context, schedule bool) error {
	p, err := a.editablePost(c)
	if err != nil {
		return err
	}
	u, _ := currentUser(c)
	if !canPublish(c, p) {
		return echo.NewHTTPError(http.StatusForbidden, "Your role cannot schedule this post: submit it for review, and an editor will publish it.")
	}
	if !u.EmailVerified {
		return a.unverified(c)
	}
	if schedule && !slices.Contains(schedulable, p.Status) || !schedule && p.Status != models.PostScheduled {
		return echo.NewHTTPError(http.StatusConflict, "Only drafts, posts waiting for review and scheduled posts can be "+
			"scheduled, and only scheduled ones cancelled. Reload the post to see where it stands.")
	}
	in, form, errs := editorInput(c)
	form.ID, form.Slug, form.Status, form.Page = p.ID, p.Slug, p.Status, p.IsPage()
	var at time.Time
	if schedule {
		var msg string
		at, msg = a.publishTime(c)
		form.Schedule.Value = c.FormValue("publish_at")
		if msg != "" {
			errs["publish_at"] = msg
		}
	}
	if len(errs) > 0 {
		form.Errors = errs
		return a.renderEditor(c, http.StatusUnprocessableEntity, form)
	}
	ctx := c.Request().Context()
	saved, err := a.Posts.Update(ctx, p.ID, form.Version, in, u.ID)
	switch {
	case errors.Is(err, models.ErrConflict):
		return a.renderConflict(c, form)
	case errors.Is(err, markdown.ErrTooLarge):
		form.Errors = map[string]string{"body": bodyTooLarge}
		return a.renderEditor(c, http.StatusUnprocessableEntity, form)
	case err != nil:
		return err
	}
	done := "The schedule is cancelled: the post is a draft again."
	refused := "Your text is saved, but the post cannot be scheduled now: only drafts and posts waiting for review can be, " +
		"and it changed in the meantime. Reload it and try again."
	if schedule {
		saved, err = a.Posts.Schedule(ctx, adminActor(c), p.ID, saved.Version, at)
		done = "Scheduled: it will be published on " + a.formatter(c).DateTime(at) + " (" + a.siteZone(c).String() + ")."
	} else {
		saved, err = a.Posts.Unschedule(ctx, adminActor(c), p.ID, saved.Version)
		refused = "Your text is saved, but the post was not scheduled any more. Reload it to see where it stands."
	}
	switch {
	case errors.Is(err, models.ErrUnverified):
		return a.unverified(c)
	case errors.Is(err, models.ErrConflict), errors.Is(err, models.ErrPastSchedule):
		return echo.NewHTTPError(http.StatusConflict, refused)
	case err != nil:
		return err
	}
	if wantsFragment(c.Request()) {
		// The inline editor stays, saying when the post goes out.
		return a.renderEditor(c, http.StatusOK, editorFor(saved, true))
	}
	a.flash(c, done)
	return redirect(c, postPath(saved))
}
