package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nookchat/nook/app/xvfbtest"
	"github.com/nookchat/nook/engine"
	"github.com/nookchat/nook/engine/enginetest"
	"github.com/nookchat/nook/engine/model"
	"github.com/nookchat/nook/engine/profile"
	"github.com/nookchat/nook/engine/transport/loopback"
)

// benchPassword is the password of the profile the benchmarks make.
const benchPassword = "a long benchmark password"

// catchUpBlobs is the size of BenchmarkMemory's catch-up: 100 000, or
// NOOK_BENCH_BLOBS (a quicker run while trying changes that concern the
// other stages).
func catchUpBlobs(b *testing.B) int {
	if v := os.Getenv("NOOK_BENCH_BLOBS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("NOOK_BENCH_BLOBS=%q: want a number of blobs", v)
		}
		return n
	}
	return 100_000
}

// BenchmarkMemory starts the real binary under Xvfb beside a minimal Fyne
// window (testdata/minimal: one label, 1000×680) and reports both resident
// set sizes (VmRSS ten seconds after the screen is ready, see settledRSS)
// and Nook's excess over the minimal window, in MiB, and the excess of the
// peaks (the most seen in the first two seconds); the excess over the
// minimal window's resident set read at the same moment ("same-time": an
// idle minimal window grew by about 5 MiB over a run) and the excess of
// anonymous memory alone (rssParts: heaps and buffers, without the
// program's file pages):
//
//	unlock    the unlock screen of a profile with 10 000 messages over 3 conversations
//	list      that profile unlocked, its list shown (the 3 conversations and
//	          the group)
//	catchup   the app closed, 100 000 blobs posted to the server of a
//	          group the profile is in (other groups' blobs, which the
//	          catch-up reads and rejects by their tag; fillServer), the app
//	          opened and unlocked again, its catch-up ended
//
// NOOK_BENCH_BLOBS sets another size for the catch-up; NOOK_BENCH_GOGC
// sets Nook's GOGC (not the minimal window's); with
// NOOK_BENCH_CAUGHT_UP_PROFILE set a heap profile is also written as the
// catch-up ends (what the next ten seconds allocate is the difference of
// the last two profiles' alloc_space). Nook runs with
// NOOK_HEAP_PROFILE, and a heap profile is written at each
// stage: with -v their paths are logged, for go tool pprof; they are kept
// in the folder NOOK_BENCH_PROFILES names, if set.
func BenchmarkMemory(b *testing.B) {
	needXvfb(b)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	tmp := b.TempDir()
	nook, minimal := buildBin(b, ctx, ".", tmp, "nook"), buildBin(b, ctx, "./testdata/minimal", tmp, "minimal")
	data, netDir := filepath.Join(tmp, "data"), filepath.Join(tmp, "net")
	tr := loopback.New(loopback.FileDirectory{Path: netDir})
	srv := startBenchServer(b, ctx, filepath.Join(tmp, "server"), tr)
	serverInvite, err := srv.Invite()
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	prepareProfile(b, ctx, data, netDir, serverInvite, []int{5000, 3000, 2000})
	b.Logf("profile with 10 000 messages made in %s", time.Since(start).Round(time.Millisecond))

	display := xvfbtest.Start(b, ctx)
	env := appEnv(tmp, display)
	b.ResetTimer()

	mp := startApp(b, ctx, minimal, env)
	xdo(b, ctx, env, "search", "--sync", "--name", "^Minimal$")
	waitColours(b, ctx, env, filepath.Join(tmp, "minimal.png"), 2)
	minRSS, minPeak := settledRSS(b, mp.pid())

	profiles := filepath.Join(tmp, "heap")
	if dir := os.Getenv("NOOK_BENCH_PROFILES"); dir != "" {
		profiles = dir // kept after the benchmark
	}
	if err := os.MkdirAll(profiles, 0o700); err != nil {
		b.Fatal(err)
	}
	nookEnv := append(env, "NOOK_TRACE=1", "NOOK_HEAP_PROFILE="+profiles)
	if v := os.Getenv("NOOK_BENCH_GOGC"); v != "" {
		// Nook's GOGC alone (the minimal window keeps Go's default), to
		// compare collector settings in alternating runs.
		nookEnv = append(nookEnv, "GOGC="+v)
	}
	ap := startApp(b, ctx, nook, nookEnv, "--data-dir", data, "--loopback-dir", netDir)
	ap.expect(b, ctx, "nook-trace unlock 0")
	unlockRSS, unlockPeak := settledRSS(b, ap.pid())
	unlockMin := rssKiB(b, mp.pid())
	unlockAnon := rssParts(b, "unlock", ap.pid(), mp.pid())
	ap.heapProfile(b, ctx, profiles, 1)

	unlock(b, ctx, env)
	ap.expect(b, ctx, "nook-trace list 4")
	listRSS, listPeak := settledRSS(b, ap.pid())
	listMin := rssKiB(b, mp.pid())
	listAnon := rssParts(b, "list", ap.pid(), mp.pid())
	ap.heapProfile(b, ctx, profiles, 2)
	ap.stop(b)

	// The catch-up: blobs posted while the app was closed, caught up
	// when it opens the profile again.
	blobs := catchUpBlobs(b)
	start = time.Now()
	fillServer(b, ctx, tr, srv.Bundle(), blobs)
	b.Logf("%d blobs posted in %s", blobs, time.Since(start).Round(time.Millisecond))
	ap = startApp(b, ctx, nook, nookEnv, "--data-dir", data, "--loopback-dir", netDir)
	ap.expect(b, ctx, "nook-trace unlock 0")
	cpuBefore := cpuSeconds(b, ap.pid())
	unlock(b, ctx, env)
	start = time.Now()
	for {
		l := ap.next(b, ctx)
		if n, ok := strings.CutPrefix(l, "nook-trace caught-up "); ok {
			if k, _ := strconv.Atoi(n); k >= blobs {
				break
			}
		}
	}
	catchCPU := cpuSeconds(b, ap.pid()) - cpuBefore
	b.Logf("caught up with %d blobs in %s, %.2f s of CPU (the unlock's key derivation included)", blobs, time.Since(start).Round(time.Millisecond), catchCPU)
	last := 3
	if os.Getenv("NOOK_BENCH_CAUGHT_UP_PROFILE") != "" {
		// A profile as the catch-up ends too: what is allocated in the
		// ten seconds after it is the difference of the two profiles'
		// alloc_space. Its collection changes the resident set read
		// later, so it is not taken by default.
		ap.heapProfile(b, ctx, profiles, 3)
		last = 4
	}
	catchRSS, catchPeak := settledRSS(b, ap.pid())
	catchMin := rssKiB(b, mp.pid())
	catchAnon := rssParts(b, "catchup", ap.pid(), mp.pid())
	ap.heapProfile(b, ctx, profiles, last)

	mib := func(kib int) float64 { return float64(kib) / 1024 }
	b.ReportMetric(mib(minRSS), "minimal-MiB")
	b.ReportMetric(mib(unlockRSS), "unlock-MiB")
	b.ReportMetric(mib(unlockRSS-minRSS), "unlock-extra-MiB")
	b.ReportMetric(mib(listRSS), "list-MiB")
	b.ReportMetric(mib(listRSS-minRSS), "list-extra-MiB")
	b.ReportMetric(mib(catchRSS), "catchup-MiB")
	b.ReportMetric(mib(catchRSS-minRSS), "catchup-extra-MiB")
	b.ReportMetric(mib(catchPeak-minPeak), "catchup-peak-extra-MiB")
	b.ReportMetric(mib(unlockPeak-minPeak), "unlock-peak-extra-MiB")
	b.ReportMetric(mib(listPeak-minPeak), "list-peak-extra-MiB")
	b.ReportMetric(mib(unlockRSS-unlockMin), "unlock-extra-same-time-MiB")
	b.ReportMetric(mib(listRSS-listMin), "list-extra-same-time-MiB")
	b.ReportMetric(mib(catchRSS-catchMin), "catchup-extra-same-time-MiB")
	b.ReportMetric(mib(unlockAnon), "unlock-anon-extra-MiB")
	b.ReportMetric(mib(listAnon), "list-anon-extra-MiB")
	b.ReportMetric(mib(catchAnon), "catchup-anon-extra-MiB")
	b.ReportMetric(catchCPU, "catchup-cpu-s")
}

// needXvfb skips b without Xvfb, xdotool and ImageMagick's import.
func needXvfb(b *testing.B) {
	for _, tool := range []string{"Xvfb", "xdotool", "import"} {
		if _, err := exec.LookPath(tool); err != nil {
			b.Skip(tool + " is not installed (apt-get install xvfb xdotool imagemagick)")
		}
	}
}

// buildBin builds the package pkg into dir/name.
func buildBin(b *testing.B, ctx context.Context, pkg, dir, name string) string {
	b.Helper()
	bin := filepath.Join(dir, name)
	if out, err := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", bin, pkg).CombinedOutput(); err != nil {
		b.Fatalf("build %s: %v\n%s", pkg, err, out)
	}
	return bin
}

// appEnv is the environment of an app on display, its settings under tmp.
func appEnv(tmp, display string) []string {
	return append(os.Environ(),
		"DISPLAY="+display,
		"XDG_CONFIG_HOME="+filepath.Join(tmp, "config"),
		"XDG_CACHE_HOME="+filepath.Join(tmp, "cache"),
		"LANG=en_US.UTF-8",
		"DBUS_SESSION_BUS_ADDRESS=", // no tray: without a session bus Fyne panics on quit (fyne-io/fyne#6403)
	)
}

// proc is an app started by a benchmark, with the lines of its stderr.
type proc struct {
	cmd   *exec.Cmd
	lines chan string // closed when stderr ends
	mu    sync.Mutex
	log   []string // every line, for a failure's message
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

// startApp starts bin with args; it is killed when b ends.
func startApp(b *testing.B, ctx context.Context, bin string, env []string, args ...string) *proc {
	b.Helper()
	p := &proc{cmd: exec.Command(bin, args...), lines: make(chan string, 1024)}
	p.cmd.Env = env
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		b.Fatal(err)
	}
	go func() {
		defer close(p.lines)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.mu.Lock()
			p.log = append(p.log, sc.Text())
			p.mu.Unlock()
			select {
			case p.lines <- sc.Text():
			default: // nobody waits for lines this far ahead
			}
		}
	}()
	b.Cleanup(func() {
		p.cmd.Process.Kill()
		p.cmd.Wait()
	})
	return p
}

// next returns the next line of p's stderr.
func (p *proc) next(b *testing.B, ctx context.Context) string {
	b.Helper()
	select {
	case l, ok := <-p.lines:
		if !ok {
			p.mu.Lock()
			defer p.mu.Unlock()
			b.Fatalf("%s exited:\n%s", filepath.Base(p.cmd.Path), strings.Join(p.log, "\n"))
		}
		return l
	case <-ctx.Done():
		b.Fatalf("%s said nothing more", filepath.Base(p.cmd.Path))
	}
	return ""
}

// expect waits for the line want on p's stderr.
func (p *proc) expect(b *testing.B, ctx context.Context, want string) {
	b.Helper()
	for {
		select {
		case l, ok := <-p.lines:
			if !ok {
				p.mu.Lock()
				defer p.mu.Unlock()
				b.Fatalf("%s exited before %q:\n%s", filepath.Base(p.cmd.Path), want, strings.Join(p.log, "\n"))
			}
			if l == want {
				return
			}
		case <-ctx.Done():
			b.Fatalf("no %q from %s", want, filepath.Base(p.cmd.Path))
		}
	}
}

// stop ends p as a session's end would (SIGTERM: the app closes its
// profile and quits) and waits for it.
func (p *proc) stop(b *testing.B) {
	b.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		b.Fatal(err)
	}
	for range p.lines { // until its stderr ends
	}
	p.cmd.Wait()
}

// heapProfile asks p for heap profile n (SIGUSR1) and waits for it.
func (p *proc) heapProfile(b *testing.B, ctx context.Context, dir string, n int) {
	b.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGUSR1); err != nil {
		b.Fatal(err)
	}
	stats := filepath.Join(dir, fmt.Sprintf("memstats-%d.txt", n))
	waitFor(b, ctx, "heap profile "+strconv.Itoa(n), func() bool {
		_, err := os.Stat(stats)
		return err == nil
	}, 0)
	text, _ := os.ReadFile(stats)
	b.Logf("heap profile %s:\n%s", filepath.Join(dir, fmt.Sprintf("heap-%d.pprof", n)), text)
}

// cpuSeconds returns the CPU time process pid has used, user and system,
// in seconds (/proc/pid/stat; clock ticks of 1/100 s).
func cpuSeconds(b *testing.B, pid int) float64 {
	b.Helper()
	text, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	// The fields after the command's name, which is in parentheses.
	i := strings.LastIndexByte(string(text), ')')
	f := strings.Fields(string(text[i+1:]))
	if len(f) < 13 {
		b.Fatalf("/proc/%d/stat: %q", pid, text)
	}
	utime, err1 := strconv.Atoi(f[11])
	stime, err2 := strconv.Atoi(f[12])
	if err1 != nil || err2 != nil {
		b.Fatalf("/proc/%d/stat: %q", pid, text)
	}
	return float64(utime+stime) / 100
}

// rssKiB returns the resident set size of process pid in KiB.
func rssKiB(b *testing.B, pid int) int { return statusKiB(b, pid, "VmRSS") }

// statusKiB returns the field of /proc/pid/status (VmRSS, RssAnon,
// RssFile, RssShmem) in KiB.
func statusKiB(b *testing.B, pid int, field string) int {
	b.Helper()
	text, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, l := range strings.Split(string(text), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == field+":" {
			n, err := strconv.Atoi(f[1])
			if err != nil {
				b.Fatal(err)
			}
			return n
		}
	}
	b.Fatalf("no %s for %d", field, pid)
	return 0
}

// rssParts logs what the resident sets of Nook (pid) and the minimal
// window (minimal) are made of, in MiB: anonymous memory (Go's heap and
// stacks, C's malloc: GL and X buffers), file pages (the program's code
// and data, shared libraries, fonts mapped from files) and shared memory
// (X's shared images), and returns Nook's excess of anonymous memory.
func rssParts(b *testing.B, stage string, pid, minimal int) (anonExtra int) {
	b.Helper()
	var parts []string
	for _, f := range []string{"RssAnon", "RssFile", "RssShmem"} {
		n, m := statusKiB(b, pid, f), statusKiB(b, minimal, f)
		parts = append(parts, fmt.Sprintf("%s %.1f (minimal %.1f)", f, float64(n)/1024, float64(m)/1024))
		if f == "RssAnon" {
			anonExtra = n - m
		}
	}
	b.Logf("%s: %s MiB", stage, strings.Join(parts, ", "))
	b.Logf("%s: Nook's largest mappings: %s", stage, topMappings(pid, 8))
	b.Logf("%s: the minimal window's: %s", stage, topMappings(minimal, 8))
	return anonExtra
}

// topMappings returns the n mappings of pid (/proc/pid/smaps, by path and
// permissions; anonymous ones together) holding the most resident memory,
// in MiB.
func topMappings(pid, n int) string {
	text, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps", pid))
	if err != nil {
		return err.Error()
	}
	rss := map[string]int{}
	name := ""
	for _, line := range strings.Split(string(text), "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) >= 5 && strings.Contains(f[0], "-") && !strings.HasSuffix(f[0], ":"):
			name = "[anon]"
			if len(f) >= 6 {
				name = filepath.Base(f[5]) + " " + f[1]
			}
		case len(f) == 3 && f[0] == "Rss:":
			kb, _ := strconv.Atoi(f[1])
			rss[name] += kb
		}
	}
	names := make([]string, 0, len(rss))
	for k := range rss {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool { return rss[names[i]] > rss[names[j]] })
	var out []string
	for _, k := range names[:min(n, len(names))] {
		out = append(out, fmt.Sprintf("%s %.1f", k, float64(rss[k])/1024))
	}
	return strings.Join(out, ", ")
}

// settledRSS samples the RSS of pid every 100 ms for ten seconds once a
// screen is ready and returns the last sample (settled: what the screen
// holds once the work of showing it is done and Go's scavenger has had
// time to return what was freed) and the largest of the first two seconds
// (peak).
func settledRSS(b *testing.B, pid int) (settled, peak int) {
	b.Helper()
	tk := time.NewTicker(100 * time.Millisecond)
	defer tk.Stop()
	for i := range 100 {
		<-tk.C
		settled = rssKiB(b, pid)
		if i < 20 {
			peak = max(peak, settled)
		}
	}
	return settled, peak
}

// xdo runs xdotool with args and returns its output.
func xdo(b *testing.B, ctx context.Context, env []string, args ...string) string {
	b.Helper()
	c := exec.CommandContext(ctx, "xdotool", args...)
	c.Env = env
	out, err := c.Output()
	if err != nil {
		b.Fatalf("xdotool %s: %v", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out))
}

// unlock types the password into Nook's unlock screen (the password field
// has the focus) and presses Enter.
func unlock(b *testing.B, ctx context.Context, env []string) {
	b.Helper()
	win := strings.Fields(xdo(b, ctx, env, "search", "--sync", "--name", "^Nook$"))[0]
	xdo(b, ctx, env, "mousemove", "--window", win, "10", "10")
	xdo(b, ctx, env, "type", "--delay", "10", benchPassword)
	xdo(b, ctx, env, "key", "Return")
}

// prepareProfile makes, in data, a profile with benchPassword (production
// key derivation), in a group on the server of serverInvite, whose
// contacts sent it counts[i] messages each: one engine per contact, all on
// a loopback network in net, every message delivered before the engines
// close.
func prepareProfile(b *testing.B, ctx context.Context, data, net, serverInvite string, counts []int) {
	b.Helper()
	tr := func() *loopback.Transport { return loopback.New(loopback.FileDirectory{Path: net}) }
	me := engine.New(engine.Config{DataDir: data, Transport: tr(), PeerBackoff: enginetest.PeerBackoff(),
		Profile: profile.Options{NoSync: true}})
	defer me.Close()
	events, stop := me.Subscribe()
	defer stop()
	if err := me.Start(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := me.CreateProfile(ctx, "Reader", benchPassword); err != nil {
		b.Fatal(err)
	}
	if _, err := me.CreateGroup("Catch-up", serverInvite); err != nil {
		b.Fatal(err)
	}
	total := 0
	var wg sync.WaitGroup
	errs := make(chan error, len(counts))
	for i, n := range counts {
		total += n
		them := engine.New(engine.Config{DataDir: filepath.Join(b.TempDir(), "contact"), Transport: tr(),
			Profile: enginetest.Profile(), PeerBackoff: enginetest.PeerBackoff()})
		defer them.Close()
		if err := them.Start(ctx); err != nil {
			b.Fatal(err)
		}
		if _, err := them.CreateProfile(ctx, fmt.Sprintf("Contact %d", i+1), ""); err != nil {
			b.Fatal(err)
		}
		inv, err := me.MyInvite(true)
		if err != nil {
			b.Fatal(err)
		}
		res, err := them.AcceptInvite(inv)
		if err != nil {
			b.Fatal(err)
		}
		conv := model.ConversationID(res.Contact.Address)
		self, _, err := them.Self()
		if err != nil {
			b.Fatal(err)
		}
		waitFor(b, ctx, "the contact accepted on both sides", func() bool {
			c1, err1 := them.Contact(conv)
			c2, err2 := me.Contact(model.ConversationID(self))
			return err1 == nil && err2 == nil && c1.State == model.ContactAccepted && c2.State == model.ContactAccepted
		}, 20*time.Millisecond)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range n {
				body := fmt.Sprintf("Message %d from contact %d, with about as many words as a short chat message has.", j, i+1)
				if _, err := them.Reply(conv, body, model.MessageID{}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	got := 0
	for got < total {
		select {
		case ev := <-events:
			if m, ok := ev.(model.MessageAdded); ok && !m.Message.Outgoing {
				got++
			}
		case err := <-errs:
			b.Fatal(err)
		case <-ctx.Done():
			b.Fatalf("%d of %d messages arrived", got, total)
		}
	}
	wg.Wait()
}
