package ui

import (
	"context"
	"testing"
)

// TestRunGeneration: a result of run is applied on the UI goroutine while
// the screen is the one it was asked for, dropped once the screen moved
// on (runOr then hands it to dropped); runAlways applies it anyway. The
// work gets the UI's context, which Close cancels.
func TestRunGeneration(t *testing.T) {
	h := newProfile(t, "Ada", "pw for ada")
	h.settle()
	var applied, dropped, always []string
	work := func(name string) func(context.Context, Engine) (string, error) {
		return func(ctx context.Context, _ Engine) (string, error) { return name, ctx.Err() }
	}
	record := func(to *[]string) func(string, error) {
		return func(v string, err error) {
			if err != nil {
				t.Errorf("%s: %v", v, err)
			}
			*to = append(*to, v)
		}
	}
	run(h.ui, work("current"), record(&applied))
	h.waitFor("the current result", func() bool { return len(applied) == 1 })

	run(h.ui, work("old"), record(&applied))
	runOr(h.ui, work("old, undone"), record(&applied), record(&dropped))
	runAlways(h.ui, work("always"), record(&always))
	h.ui.newGeneration() // the screen moves on before the results are applied
	h.ui.jobs.Wait()     // every result is queued
	h.settle()
	if len(applied) != 1 || applied[0] != "current" || dropped[0] != "old, undone" || always[0] != "always" {
		t.Fatalf("applied %q, dropped %q, always %q", applied, dropped, always)
	}

	h.ui.Close()
	var ctxErr error
	runAlways(h.ui, func(ctx context.Context, _ Engine) (struct{}, error) { return struct{}{}, ctx.Err() },
		func(_ struct{}, err error) { ctxErr = err })
	h.waitFor("the work after Close", func() bool { return ctxErr != nil })
}
