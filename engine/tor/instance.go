package tor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/cretz/bine/control"
)

// instance is one running tor process and the engine's control connection
// to it. The supervisor owns it: launch creates it, stop ends it.
type instance struct {
	pid   int
	cmd   *exec.Cmd
	ctrl  *control.Conn
	raw   net.Conn // the control connection underneath ctrl
	socks string   // host:port of the SOCKS listener
	log   string   // tor's notice log, for error messages

	exited  chan struct{} // closed when the process was reaped
	waitErr error         // the process's exit status, set before exited closes
	lost    chan struct{} // closed when the control connection failed
	lostErr error         // why, set before lost closes
	hung    chan struct{} // closed when tor stopped answering (before lost)
	hungErr error         // why, set before hung closes

	events  chan control.Event // STATUS_CLIENT and HS_DESC events from ctrl
	quit    chan struct{}      // closed by stop to end the event consumer
	reading bool               // the reader goroutine was started
	wg      sync.WaitGroup     // the reader, consumer and watchdog goroutines
}

// liveness configures an instance's watchdog: a control request every
// interval, answered within timeout.
type liveness struct{ interval, timeout time.Duration }

// launch starts tor with the engine's torrc and an empty defaults file,
// connects to its control port and authenticates with the cookie, takes
// ownership (tor exits when the connection closes) and subscribes to the
// events the supervisor needs. onEvent runs on the instance's consumer
// goroutine for every event. A watchdog checks that tor keeps answering
// (live). On error nothing is left running.
func launch(ctx context.Context, exe string, p paths, live liveness, onEvent func(*instance, control.Event)) (inst *instance, err error) {
	os.Remove(p.controlPort)
	cmd := exec.Command(exe, "-f", p.torrc, "--defaults-torrc", p.defaults)
	cmd.SysProcAttr = sysProcAttr()
	cmd.Dir = p.root
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start tor: %w", err)
	}
	inst = &instance{
		pid: cmd.Process.Pid, cmd: cmd, log: p.log,
		exited: make(chan struct{}), lost: make(chan struct{}), hung: make(chan struct{}),
		events: make(chan control.Event, 64), quit: make(chan struct{}),
	}
	go func() { // not in wg: stop waits on exited instead
		inst.waitErr = cmd.Wait()
		close(inst.exited)
	}()
	defer func() {
		if err != nil {
			inst.stop(2 * time.Second)
		}
	}()

	port, err := inst.readControlPort(ctx, p.controlPort)
	if err != nil {
		return inst, err
	}
	var d net.Dialer
	inst.raw, err = d.DialContext(ctx, "tcp", port)
	if err != nil {
		return inst, fmt.Errorf("connect to tor's control port: %w", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		inst.raw.SetDeadline(dl)
	}
	inst.ctrl = control.NewConn(textproto.NewConn(inst.raw))
	if err := inst.ctrl.Authenticate(""); err != nil {
		return inst, fmt.Errorf("authenticate to tor's control port: %w", err)
	}
	if err := inst.ctrl.TakeOwnership(); err != nil {
		return inst, fmt.Errorf("take ownership of tor: %w", err)
	}
	if err := inst.ctrl.AddEventListener(inst.events, control.EventCodeStatusClient, control.EventCodeHSDesc); err != nil {
		return inst, fmt.Errorf("subscribe to tor events: %w", err)
	}
	kv, err := inst.ctrl.GetInfo("net/listeners/socks")
	if err != nil {
		return inst, fmt.Errorf("ask tor for its SOCKS port: %w", err)
	}
	if len(kv) != 1 || kv[0].Val == "" {
		return inst, errors.New("tor reported no SOCKS listener")
	}
	inst.socks = strings.Trim(strings.Fields(kv[0].Val)[0], `"`)
	if !loopbackHostPort(inst.socks) {
		return inst, fmt.Errorf("tor's SOCKS listener %s is not on loopback", inst.socks)
	}
	inst.raw.SetDeadline(time.Time{})

	inst.reading = true
	inst.wg.Go(inst.readEvents)
	inst.wg.Go(func() {
		for {
			select {
			case ev := <-inst.events:
				onEvent(inst, ev)
			case <-inst.quit:
				return
			}
		}
	})
	inst.wg.Go(func() { inst.watch(live) })
	// The current bootstrap phase, in case its event came before we listened.
	if kv, err := inst.ctrl.GetInfo("status/bootstrap-phase"); err == nil && len(kv) == 1 {
		onEvent(inst, control.ParseStatusEvent(control.EventCodeStatusClient, kv[0].Val))
	}
	return inst, nil
}

// readControlPort waits (bounded backoff) for tor to write its control
// port file, failing early if tor exits.
func (inst *instance) readControlPort(ctx context.Context, file string) (string, error) {
	backoff := 20 * time.Millisecond
	for {
		if b, err := os.ReadFile(file); err == nil {
			s := strings.TrimSpace(string(b))
			if port, ok := strings.CutPrefix(s, "PORT="); ok && loopbackHostPort(port) {
				return port, nil
			}
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("waiting for tor's control port: %w", ctx.Err())
		case <-inst.exited:
			return "", fmt.Errorf("tor exited at start (%v)%s", inst.waitErr, logTail(inst.log))
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 500*time.Millisecond)
	}
}

// readEvents reads the control connection's asynchronous events until it
// fails. bine's HandleNextEvent returns without reading when the next reply
// is a synchronous one (another goroutine's request), so yield then.
func (inst *instance) readEvents() {
	for {
		if err := inst.ctrl.HandleNextEvent(); err != nil {
			inst.lostErr = err
			close(inst.lost)
			return
		}
		runtime.Gosched()
	}
}

// watch asks tor for its version every live.interval. When no answer
// comes within live.timeout, tor is hung: watch records why, closes hung
// and then the control connection (which ends the reader, so lost closes
// too, and unblocks the request). It returns when the connection fails or
// the instance stops.
func (inst *instance) watch(live liveness) {
	tick := time.NewTicker(live.interval)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
		case <-inst.lost:
			return
		case <-inst.quit:
			return
		}
		answered := make(chan error, 1)
		go func() { // ends with an answer or with the connection
			_, err := inst.ctrl.GetInfo("version")
			answered <- err
		}()
		timer := time.NewTimer(live.timeout)
		select {
		case err := <-answered:
			timer.Stop()
			if err != nil {
				return // the reader reports the failed connection
			}
		case <-timer.C:
			inst.hungErr = fmt.Errorf("tor did not answer on its control connection within %v", live.timeout)
			close(inst.hung)
			inst.raw.Close()
			<-answered
			return
		case <-inst.lost:
			timer.Stop()
			<-answered
			return
		}
	}
}

// deadReason reports whether the instance is no longer usable, and why.
func (inst *instance) deadReason() (bool, error) {
	select {
	case <-inst.hung:
		return true, inst.hungErr
	default:
	}
	select {
	case <-inst.exited:
		return true, fmt.Errorf("tor exited (%v)", inst.waitErr)
	case <-inst.lost:
		return true, fmt.Errorf("lost the control connection: %w", inst.lostErr)
	default:
		return false, nil
	}
}

// stop ends the process (SIGTERM to its group, SIGKILL after grace), closes
// the control connection and waits for the instance's goroutines.
func (inst *instance) stop(grace time.Duration) error {
	var err error
	select {
	case <-inst.hung:
		grace = 0 // a hung tor does not act on SIGTERM
	default:
	}
	select {
	case <-inst.exited:
	default:
		terminate(inst.cmd)
		select {
		case <-inst.exited:
		case <-time.After(grace):
			kill(inst.cmd)
			select {
			case <-inst.exited:
			case <-time.After(5 * time.Second):
				err = fmt.Errorf("tor (pid %d) did not exit after SIGKILL", inst.pid)
			}
		}
	}
	if inst.raw != nil {
		inst.raw.Close()
	}
	if inst.reading {
		// The reader ends with the connection; then stop the consumer.
		<-inst.lost
	}
	close(inst.quit)
	inst.wg.Wait()
	return err
}

// logTail returns the last lines of tor's notice log, for error messages.
// (SafeLogging keeps addresses out of it; it never contains keys.)
func logTail(file string) string {
	f, err := os.Open(file)
	if err != nil {
		return ""
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return ""
	}
	const max = 2048
	if st.Size() > max {
		f.Seek(st.Size()-max, io.SeekStart)
	}
	b, _ := io.ReadAll(f)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 4 {
		lines = lines[len(lines)-4:]
	}
	return "; tor's log: " + strings.Join(lines, " | ")
}
