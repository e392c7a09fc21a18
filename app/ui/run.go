package ui

import (
	"context"
	"sync"
)

// The one way the UI runs engine work: run (and its variants) call the
// engine on a goroutine of their own and apply the result on the Fyne
// goroutine through Options.Do. Nothing calls the engine on the Fyne
// goroutine (a test fails if something does: Options.Engine is wrapped
// in a checker in the tests).
//
// A result applies to the screen it was asked for. The UI's generation
// grows when the screen, the open conversation or the profile changes
// (newGeneration); run drops a result whose generation is over, instead
// of each callback checking by hand that its screen is still shown.

// newGeneration starts a generation: results of work started before are
// dropped. Runs on the Fyne goroutine.
func (u *UI) newGeneration() { u.gen++ }

// run calls work off the Fyne goroutine, then apply with its result on it
// if the generation did not change meanwhile. ctx is the UI's: it ends
// when the UI is closed.
func run[T any](u *UI, work func(ctx context.Context, e Engine) (T, error), apply func(T, error)) {
	runOr(u, work, apply, nil)
}

// runOr is run, calling dropped (on the Fyne goroutine; nil: nothing)
// with the result when the generation changed: for work whose effect must
// be undone when nobody is there to see it (a profile unlocked after the
// screen moved on).
func runOr[T any](u *UI, work func(ctx context.Context, e Engine) (T, error), apply, dropped func(T, error)) {
	gen := u.gen
	u.jobs.Add(1)
	go func() {
		defer u.jobs.Done()
		v, err := work(u.ctx, u.eng)
		u.do(func() {
			switch {
			case u.gen == gen:
				apply(v, err)
			case dropped != nil:
				dropped(v, err)
			}
		})
	}()
}

// runAlways is run whose result is applied whatever the generation: for
// what the person must learn even after moving on (a message that was not
// sent, a setting not saved). apply must not assume that the screen that
// started the work is shown.
func runAlways[T any](u *UI, work func(ctx context.Context, e Engine) (T, error), apply func(T, error)) {
	u.jobs.Add(1)
	go func() {
		defer u.jobs.Done()
		v, err := work(u.ctx, u.eng)
		u.do(func() { apply(v, err) })
	}()
}

// runInOrder is runAlways with the works run one at a time, in the order
// they were asked for: two messages written quickly are stored, and so
// sent, in the order they were written.
func runInOrder[T any](u *UI, work func(ctx context.Context, e Engine) (T, error), apply func(T, error)) {
	u.jobs.Add(1)
	u.inOrder.run(func() {
		defer u.jobs.Done()
		v, err := work(u.ctx, u.eng)
		u.do(func() { apply(v, err) })
	})
}

// fire runs work off the Fyne goroutine and forgets it: for writes whose
// outcome the engine's events show (marking a conversation read).
func fire(u *UI, work func(ctx context.Context, e Engine) error) {
	u.jobs.Add(1)
	go func() {
		defer u.jobs.Done()
		_ = work(u.ctx, u.eng)
	}()
}

// lifetime is the UI's context and the work it started.
type lifetime struct {
	ctx    context.Context
	cancel context.CancelFunc
	jobs   sync.WaitGroup
}

// runErr is run for work that returns only an error.
func runErr(u *UI, work func(ctx context.Context, e Engine) error, apply func(error)) {
	run(u, func(ctx context.Context, e Engine) (struct{}, error) { return struct{}{}, work(ctx, e) },
		func(_ struct{}, err error) { apply(err) })
}
